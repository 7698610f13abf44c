"""Two enrollment service processes on one database take a burst of enrolments on one
offering with few seats: neither overbooks, because every seat decision takes the
offering's row lock in PostgreSQL, whatever process makes it."""

import asyncio
import os
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

pytestmark = pytest.mark.e2e

SECOND = "enrollment-2"
SECOND_PORT = 18012
SEATS = 5
BURST = 200


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
    env = {**os.environ, **system.service_env(), "ENROLLMENT_HTTP_PORT": str(SECOND_PORT)}
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
    endpoints: Endpoints, system: System, second_enrollment: str
) -> None:
    instances = (endpoints.enrollment, second_enrollment)
    board = str(uuid.uuid4())
    async with httpx.AsyncClient(timeout=60) as http:
        academy = await http.post(
            f"{endpoints.catalogue}/academies", json={"name": "Academie Noord", "board_id": board}
        )
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
        )
        assert offering.status_code == 201, offering.text
        offering_id = offering.json()["offering_id"]
        known = f"{endpoints.enrollment}/offerings/{offering_id}"  # one database for both
        wait_for("enrollment to know the offering", lambda: httpx.get(known).is_success)

        async def enrol(n: int) -> httpx.Response:
            body = {
                "staff_id": str(uuid.uuid4()),
                "board_id": board,
                "role": "teacher",
                "offering_id": offering_id,
            }
            return await http.post(f"{instances[n % 2]}/enrollments", json=body)

        answers = await asyncio.gather(*(enrol(n) for n in range(BURST)))

        assert [a.status_code for a in answers] == [201] * BURST
        said = {a.json()["enrollment_id"]: a.json()["status"] for a in answers}
        assert Counter(said.values()) == {"enrolled": SEATS, "waitlisted": BURST - SEATS}
        for url in instances:
            seats = (await http.get(f"{url}/offerings/{offering_id}")).json()
            assert (seats["capacity"], seats["enrolled"]) == (SEATS, SEATS)

        def catalogue_counts_the_seats() -> bool:
            got = httpx.get(f"{endpoints.catalogue}/offerings/{offering_id}").json()
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
