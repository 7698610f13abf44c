"""Two enrollment service processes on one database take a burst of enrolments on one
offering with few seats: neither overbooks, because every seat decision takes the
offering's row lock in PostgreSQL, whatever process makes it. Each enrolment is a staff
member of the board enrolling themself, signed in as themself."""

import asyncio
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import asyncpg
import httpx
import pytest

from huisacademie import stack
from huisacademie.demo import Endpoints, wait_for
from huisacademie.demo.scenario import sessions
from huisacademie.system import System
from services.shared.clock import dutch_today
from tests.support.people import People

pytestmark = pytest.mark.e2e

SECOND = "enrollment-2"
SECOND_PORT = 18012
SEATS = 5
BURST = 50
"""People enrolling at once, half on each process: ten for every seat (each a real user
of the identity provider, so tens rather than hundreds)."""


def _ready(system: System, url: str) -> bool:
    """Ours answers ready; an exit (the port taken, say) fails at once with where to look."""
    if stack.process_status(SECOND, system.layout) is None:
        raise AssertionError(f"{SECOND} exited; see {system.layout.logs_dir / SECOND}.log")
    try:
        return httpx.get(f"{url}/health/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def second_enrollment(system: System) -> Iterator[str]:
    """Another enrollment process beside the system's, on the same database and broker."""
    env = {**system.process_env("enrollment"), "ENROLLMENT_HTTP_PORT": str(SECOND_PORT)}
    argv = [sys.executable, "-m", "huisacademie", "serve", "enrollment"]
    stack.stop_process(SECOND, system.layout)  # a leftover of an interrupted run
    stack.start_process(SECOND, argv, system.layout, env=env)
    url = f"http://127.0.0.1:{SECOND_PORT}"
    try:
        wait_for("the second enrollment instance", lambda: _ready(system, url), timeout=90)
        yield url
    finally:
        stack.stop_process(SECOND, system.layout)


async def test_a_burst_over_two_processes_never_overbooks(
    endpoints: Endpoints, system: System, second_enrollment: str, people: People
) -> None:
    instances = (endpoints.enrollment, second_enrollment)
    board = str(uuid.uuid4())
    board_admin = people.board_admin(board)
    # Signed in before the burst (each token fetched once), so the requests go out at once.
    burst = [people.staff(board).headers for _ in range(BURST)]
    async with httpx.AsyncClient(timeout=60) as http:
        academy = await http.post(
            f"{endpoints.catalogue}/academies",
            json={"name": "Academie Noord", "board_id": board},
            headers=board_admin.headers,
        )
        assert academy.status_code == 201, academy.text
        admin = people.academy_admin(board, academy.json()["academy_id"])
        offering = await http.post(
            f"{endpoints.catalogue}/offerings",
            json={
                "academy_id": academy.json()["academy_id"],
                "title": "Rekendidactiek",
                "kind": "course",
                "study_hours": 6,
                "capacity": SEATS,
                "sessions": sessions(dutch_today() + timedelta(days=30)),
                "domains": ["subject_didactics"],
            },
            headers=admin.headers,
        )
        assert offering.status_code == 201, offering.text
        offering_id = offering.json()["offering_id"]
        known = f"{endpoints.enrollment}/offerings/{offering_id}"  # one database for both
        wait_for(
            "enrollment to know the offering",
            lambda: httpx.get(known, headers=admin.headers).is_success,
        )

        async def enrol(n: int) -> httpx.Response:
            body = {"role": "teacher", "offering_id": offering_id}
            return await http.post(f"{instances[n % 2]}/enrollments", json=body, headers=burst[n])

        answers = await asyncio.gather(*(enrol(n) for n in range(BURST)))

        assert [a.status_code for a in answers] == [201] * BURST
        said = {a.json()["enrollment_id"]: a.json()["status"] for a in answers}
        assert Counter(said.values()) == {"enrolled": SEATS, "waitlisted": BURST - SEATS}
        for url in instances:
            seats = (await http.get(f"{url}/offerings/{offering_id}", headers=admin.headers)).json()
            assert (seats["capacity"], seats["enrolled"]) == (SEATS, SEATS)

        def catalogue_counts_the_seats() -> bool:
            found = f"{endpoints.catalogue}/offerings/{offering_id}"
            got = httpx.get(found, headers=admin.headers).json()
            return bool(got["seats_taken"] == SEATS)

        wait_for("the catalogue to count the seats", catalogue_counts_the_seats)

    conn = await asyncpg.connect(system.database_urls["enrollment"])
    try:
        rows = await conn.fetch(
            "SELECT enrollment_id::text, status FROM enrollments WHERE offering_id = $1",
            uuid.UUID(offering_id),
        )
    finally:
        await conn.close()
    assert {r["enrollment_id"]: r["status"] for r in rows} == said
