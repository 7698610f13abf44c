"""Enrollment burst: thousands of staff members enrolling themselves in one offering with few
seats, all at once, each signed in with a token of their own; and the bare insert endpoint
(no tokens) under the same burst. The enrollment burst is checked, not only timed: every
answer must be what the database holds afterwards, for the staff member whose token asked,
and the seats must be exactly the offering's."""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import aiohttp
import asyncpg
import httpx

from bench.http import Setup, board, enrolment, offering
from bench.people import People
from huisacademie.system import System

TOKENS_VALID_FOR_S = 120.0
"""Every token of the burst holds this long when it starts (a full burst takes about 20 s)."""


@dataclass(frozen=True)
class Answer:
    """What one request was answered: the staff member asked, the enrollment made."""

    staff_id: str
    enrollment_id: str
    status: str


@dataclass(frozen=True)
class Burst:
    seconds: float
    latencies_ms: list[float]
    answers: list[Answer]

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def statuses(self) -> Counter[str]:
        return Counter(a.status for a in self.answers)


class BurstMismatch(AssertionError):
    """The burst's answers or its seats are not what the database holds."""


@dataclass(frozen=True)
class Call:
    """One request of a burst: who sends it (as the answer is checked for), its body and
    headers (the sender's token)."""

    staff_id: str
    body: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


async def fire(url: str, calls: list[Call], connections: int = 100) -> Burst:
    """Every request at once, `connections` in flight at any moment; all must succeed.
    aiohttp, not httpx: httpx's connection pool used a whole core at 50 requests/s here."""
    gate = asyncio.Semaphore(connections)
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def one(call: Call) -> tuple[float, Answer]:
            async with gate:
                began = time.perf_counter()
                async with http.post(url, json=call.body, headers=call.headers) as response:
                    response.raise_for_status()
                    made = await response.json()
                answer = Answer(call.staff_id, made["enrollment_id"], made["status"])
                return (time.perf_counter() - began) * 1000, answer

        began = time.perf_counter()
        results = await asyncio.gather(*(one(c) for c in calls))
        took = time.perf_counter() - began
    return Burst(took, [ms for ms, _ in results], [answer for _, answer in results])


def mismatches(
    answers: Iterable[Answer], rows: Mapping[str, tuple[str, str]], *, requests: int, seats: int
) -> list[str]:
    """How the answers (one per request) and the offering's enrollments in the database,
    by enrollment id (staff id, status), disagree with each other or with the seats: each
    request made one enrollment, answered as it is stored; as many are enrolled as there
    are seats, the others wait."""
    given = list(answers)
    found = []
    if len(given) != requests:
        found.append(f"{len(given)} answers to {requests} requests")
    answered = {a.enrollment_id: a for a in given}
    if len(answered) != len(given):
        found.append(f"{len(given) - len(answered)} answers name an enrollment another named")
    for a in given:
        stored = rows.get(a.enrollment_id)
        if stored != (a.staff_id, a.status):
            found.append(f"answered {a}, the database holds {stored}")
    for enrollment_id in sorted(rows.keys() - answered.keys()):
        found.append(f"enrollment {enrollment_id} {rows[enrollment_id]} was never answered")
    held = Counter(status for _, status in rows.values())
    enrolled = min(seats, requests)
    expected = Counter({"enrolled": enrolled, "waitlisted": requests - enrolled})
    if held != expected:
        found.append(f"the database holds {dict(held)}, not {dict(+expected)}")
    return found[:20]


async def enrollment_burst(
    running: System, people: People, *, requests: int, seats: int
) -> tuple[Burst, dict[str, int], Setup]:
    """The burst on the enrollment service, checked against its database (BurstMismatch):
    `requests` staff members of a new board, each with their own token, enrol themselves.
    Also what the database holds afterwards, by status, and what the people took to make
    and sign in (not timed)."""
    crowd = await board(people, requests, name="burst")
    async with httpx.AsyncClient(timeout=30) as http:
        offering_id = await offering(http, running, people, crowd, capacity=seats)
    setup = Setup(crowd.made, *await people.hold(crowd.staff, valid_for=TOKENS_VALID_FOR_S))
    calls = [
        Call(person.id, enrolment(offering_id), await people.headers(person))
        for person in crowd.staff
    ]
    burst = await fire(f"{running.url('enrollment')}/enrollments", calls)
    conn = await asyncpg.connect(running.database_urls["enrollment"])
    try:
        stored = await conn.fetch(
            "SELECT enrollment_id, staff_id, status FROM enrollments WHERE offering_id = $1",
            uuid.UUID(offering_id),
        )
    finally:
        await conn.close()
    rows = {str(r["enrollment_id"]): (str(r["staff_id"]), r["status"]) for r in stored}
    found = mismatches(burst.answers, rows, requests=requests, seats=seats)
    if found:
        raise BurstMismatch("the burst's answers and the database disagree:\n" + "\n".join(found))
    return burst, dict(Counter(status for _, status in rows.values())), setup


async def bare_burst(base: str, *, requests: int) -> Burst:
    """The same burst on the bare endpoint: no token (it checks none), the staff id in the
    body."""
    calls = []
    for _ in range(requests):
        staff_id = str(uuid.uuid4())
        calls.append(Call(staff_id, {"staff_id": staff_id, "offering_id": str(uuid.uuid4())}))
    return await fire(f"{base}/enrollments", calls)
