"""A steady load of the demo's kinds of commands, what each accepted command should have
done, and the check that every read model shows it exactly once.

Two kinds of work run side by side: single enrolments completed or cancelled on offerings
without a limit, and rounds on an offering of four seats that take every way a seat moves:
a reservation filled and released, a team, a waiting list promoted twice, attendance that
completes, a completion by hand and a cancellation.

Each command is sent by whom it would be in a school, signed in: staff of one school enrol
themselves (each once per offering: a new offering is published when they all have), their
school leader reserves and enrols teams of staff placed in the school, the academy's
administrator publishes, records attendance and completes or cancels."""

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg
import httpx

from huisacademie.demo.scenario import sessions
from services.enrollment.domain import enrollments
from services.shared.clock import dutch_today
from services.shared.failures import Failure, classify
from tests.support.people import Caller, People

RETRYABLE = {502, 503, 504}


class LoadFailed(AssertionError):
    pass


HOLDS_A_SEAT = {status.value for status in enrollments.HOLDS_A_SEAT}


@dataclass
class Accepted:
    """One staff member's enrollment and how it ended, as the enrollment service accepted."""

    staff_id: str
    offering_id: str
    enrollment_id: str
    outcome: str  # "completed", "cancelled" or (a round's) "enrolled"
    hours: float
    attendance: dict[str, bool] | None = None
    """The sessions' attendance the portfolio's entry shows, where it was recorded."""


@dataclass
class Tally:
    lost: int = 0
    double_counted: int = 0
    problems: list[str] = field(default_factory=list)

    def missing(self, count: int, what: str) -> None:
        self.lost += count
        self.problems.append(f"lost {count}: {what}")

    def compare(self, got: float, expected: float, what: str) -> None:
        """More than expected is counted twice, less is lost."""
        if got > expected:
            self.extra(round(got - expected), f"{what}: {got} of {expected}")
        elif got < expected:
            self.missing(round(expected - got), f"{what}: {got} of {expected}")

    def extra(self, count: int, what: str) -> None:
        self.double_counted += count
        self.problems.append(f"double-counted {count}: {what}")

    @property
    def exact(self) -> bool:
        return not self.problems


class Load:
    """Enrols new staff members and completes (or, one in five, cancels) their enrollments,
    retrying every command through outages with the same Idempotency-Key."""

    def __init__(
        self, url: Callable[[str], str], people: People, *, patience: float = 180.0
    ) -> None:
        self._url = url
        self._people = people
        self._patience = patience
        self._http = httpx.AsyncClient(timeout=30)
        self.board = str(uuid.uuid4())
        self.school = str(uuid.uuid4())
        self.academy = ""
        self.staff: list[Caller] = []
        """Who enrol themselves, in the school."""
        self.offerings: list[str] = []
        """The offerings without a limit; each of the staff enrols in each once."""
        self._publishing = asyncio.Lock()
        self.rounds: list[str] = []
        """The offerings of four seats, one per round."""
        self.accepted: list[Accepted] = []
        self.server_errors: list[str] = []
        self._numbers = itertools.count()

    async def close(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        body: Any = None,
        *,
        by: Caller,
        **headers: str,
    ) -> httpx.Response:
        """The answer to a command, sent again while the service is down or says 503."""
        deadline = time.monotonic() + self._patience
        while True:
            try:
                response = await self._http.request(
                    method, self._url(service) + path, json=body, headers={**headers, **by.headers}
                )
                if response.status_code not in RETRYABLE:
                    if response.status_code >= 500:
                        self.server_errors.append(f"{method} {path}: {response.status_code}")
                    return response
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise LoadFailed(f"{method} {service}{path}: no answer for {self._patience} s")
            await asyncio.sleep(0.2)

    async def prepare(self, offerings: int = 4, staff: int = 10) -> None:
        """The people, an academy and its offerings, known to enrollment before the load
        starts."""
        people = self._people
        board_admin = await asyncio.to_thread(people.board_admin, self.board)
        academy = await self.call(
            "POST", "catalogue", "/academies", {"name": "Faultacademie", "board_id": self.board},
            by=board_admin,
        )  # fmt: skip
        expect(academy, 201)
        self.academy = academy.json()["academy_id"]
        self.admin = await asyncio.to_thread(people.academy_admin, self.board, self.academy)
        self.leader = await asyncio.to_thread(people.leader, self.board, self.school)
        for _ in range(staff):
            self.staff.append(
                await asyncio.to_thread(people.staff, self.board, schools=[self.school])
            )
        for n in range(offerings):
            self.offerings.append((await self.offering(f"Course {n}", None))["offering_id"])

    async def unlimited(self, n: int) -> str:
        """The n-th single enrolment's offering: each of the staff enrols in each once."""
        wanted = n // len(self.staff)
        async with self._publishing:
            while len(self.offerings) <= wanted:
                made = await self.offering(f"Course {len(self.offerings)}", None)
                self.offerings.append(made["offering_id"])
        return self.offerings[wanted]

    async def placed(self) -> str:
        """A staff member of the school who never signs in (a team member, a name on seats),
        placed in the directory as the board would; again while PostgreSQL is away."""
        staff_id = str(uuid.uuid4())
        deadline = time.monotonic() + self._patience
        while True:
            try:
                await asyncio.to_thread(self._people.place, staff_id, self.board, self.school)
                return staff_id
            except Exception as e:
                away = classify(e) is Failure.OUTAGE or isinstance(e, asyncpg.PostgresError)
                if not away or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def offering(self, title: str, capacity: int | None) -> dict[str, Any]:
        """A new offering with two past sessions, once enrollment knows it."""
        body = {
            "academy_id": self.academy,
            "title": title,
            "kind": "course",
            "study_hours": 8,
            "capacity": capacity,
            "sessions": sessions(dutch_today() - timedelta(days=2), count=2),
            "domains": ["pedagogy"],
            "goal_tags": ["faults"],
        }
        made = await self.call("POST", "catalogue", "/offerings", body, by=self.admin)
        if made.status_code != 201:
            raise LoadFailed(f"publish: {made.status_code} {made.text}")
        offering: dict[str, Any] = made.json()
        deadline = time.monotonic() + self._patience
        path = f"/offerings/{offering['offering_id']}"
        while (await self.call("GET", "enrollment", path, by=self.admin)).is_error:
            if time.monotonic() > deadline:
                raise LoadFailed(f"enrollment never learnt of offering {path}")
            await asyncio.sleep(0.2)
        return offering

    async def run(
        self, stop: asyncio.Event, workers: int = 4, pause: float = 0.01, rounds: int = 1
    ) -> None:
        """`workers` enrolling one person at a time, `rounds` working through rounds."""

        async def worker(work: Callable[[int], Awaitable[None]]) -> None:
            while not stop.is_set():
                await work(next(self._numbers))
                await asyncio.sleep(pause)

        await asyncio.gather(
            *(worker(self.one) for _ in range(workers)),
            *(worker(self.round) for _ in range(rounds)),
        )

    async def one(self, n: int) -> None:
        person, offering = self.staff[n % len(self.staff)], await self.unlimited(n)
        staff = person.id
        enrollment = (await self.enrol(person, offering))["enrollment_id"]
        hours = float(1 + n % 4)
        command: dict[str, Any] = {"reason": "fault test"}
        if n % 5 == 0:
            outcome, path = "cancelled", "cancel"
        else:
            outcome, path = "completed", "complete"
            command["hours"] = hours
        await self.finish(enrollment, path, outcome, command)
        self.accepted.append(Accepted(staff, offering, enrollment, outcome, hours))

    async def round(self, n: int) -> None:
        """Every way a seat moves, on an offering of four seats:

        a leader reserves 2 seats; a team of 2 fills the rest; W1 and W2 wait; one name
        goes on the reservation and the leader gives back the other seat, so W1 moves up;
        a team member cancels, so W2 moves up; the other team member attends both sessions
        (and so completes) and W1 is completed by hand. Four seats stay taken."""
        offering = await self.offering(f"Round {n}", 4)
        oid, leader = offering["offering_id"], self.leader
        first, second = (s["session_id"] for s in offering["sessions"])
        team = [await self.placed(), await self.placed()]
        named = await self.placed()
        w1, w2 = self.staff[n % len(self.staff)], self.staff[(n + 1) % len(self.staff)]

        held = await self.call(
            "POST", "enrollment", f"/offerings/{oid}/reservations", {"seats": 2},
            by=leader, **{"Idempotency-Key": f"round-{n}"},
        )  # fmt: skip
        expect(held, 200, 201)
        reservation = held.json()["reservation_id"]
        members = [{"staff_id": s, "role": "teacher"} for s in team]
        made = await self.call(
            "POST", "enrollment", "/teams/enrollments", {"offering_id": oid, "members": members},
            by=leader,
        )  # fmt: skip
        t1, t2 = (
            [e["enrollment_id"] for e in made.json()["enrollments"]]
            if made.status_code == 201
            else [await self.enrollment_of(s, oid, made) for s in team]
        )
        waiting = [await self.enrol(s, oid) for s in (w1, w2)]
        if [e["status"] for e in waiting] != ["waitlisted", "waitlisted"]:
            raise LoadFailed(f"round {n}: a full offering seated {waiting}")
        filled = await self.call(
            "POST", "enrollment", f"/reservations/{reservation}/fill",
            {"members": [{"staff_id": named, "role": "teacher"}]},
            by=leader,
        )  # fmt: skip
        f1 = (
            filled.json()[0]["enrollment_id"]
            if filled.status_code == 200
            else await self.enrollment_of(named, oid, filled)
        )
        path = f"/reservations/{reservation}"
        released = await self.call("POST", "enrollment", f"{path}/release", by=leader)
        if released.status_code == 409:  # an earlier try went through
            released = await self.call("GET", "enrollment", path, by=leader)
        if released.is_error or not released.json()["released"]:
            raise LoadFailed(f"release {reservation}: {released.status_code} {released.text}")
        await self.finish(t1, "cancel", "cancelled", {"reason": "fault test"})
        for session in (first, second):
            body = {"session_id": session, "attended": True}
            got = await self.call(
                "POST", "enrollment", f"/enrollments/{t2}/attendance", body, by=self.admin
            )
            if got.is_error and got.status_code != 409:  # 409: completed by an earlier try
                raise LoadFailed(f"attendance {t2}: {got.status_code} {got.text}")
        await self.expect_status(t2, "completed")
        await self.finish(waiting[0]["enrollment_id"], "complete", "completed", {"hours": 2.0})
        await self.expect_status(waiting[1]["enrollment_id"], "enrolled")
        both = {first: True, second: True}
        self.accepted += [
            Accepted(team[0], oid, t1, "cancelled", 0.0),
            Accepted(team[1], oid, t2, "completed", 8.0, both),
            Accepted(w1.id, oid, waiting[0]["enrollment_id"], "completed", 2.0),
            Accepted(w2.id, oid, waiting[1]["enrollment_id"], "enrolled", 0.0),
            Accepted(named, oid, f1, "enrolled", 0.0),
        ]
        self.rounds.append(oid)

    async def enrol(self, person: Caller, offering: str) -> dict[str, Any]:
        enrolled = await self.call(
            # The load's offerings all meet on the same two days: each person takes many.
            "POST", "enrollment", "/enrollments",
            {"role": "teacher", "offering_id": offering, "confirm_overlap": True},
            by=person, **{"Idempotency-Key": f"fault-{person.id}-{offering}"},
        )  # fmt: skip
        expect(enrolled, 200, 201)
        made: dict[str, Any] = enrolled.json()
        return made

    async def enrollment_of(self, staff: str, offering: str, answer: httpx.Response) -> str:
        """A refused retry (409): the enrollment an earlier try, cut off, made."""
        mine = await self.call("GET", "enrollment", f"/staff/{staff}/enrollments", by=self.leader)
        found = [e for e in mine.json() if e["offering_id"] == offering]
        if answer.status_code != 409 or len(found) != 1:
            raise LoadFailed(f"{answer.request.url}: {answer.status_code} {answer.text}")
        enrollment: str = found[0]["enrollment_id"]
        return enrollment

    async def finish(self, enrollment: str, path: str, status: str, body: Any) -> None:
        url = f"/enrollments/{enrollment}"
        done = await self.call("POST", "enrollment", f"{url}/{path}", body, by=self.admin)
        if done.status_code == 409:  # an earlier try, cut off, went through
            done = await self.call("GET", "enrollment", url, by=self.admin)
        if done.is_error or done.json()["status"] != status:
            raise LoadFailed(f"{path} {enrollment}: {done.status_code} {done.text}")

    async def expect_status(self, enrollment: str, status: str) -> None:
        got = await self.call("GET", "enrollment", f"/enrollments/{enrollment}", by=self.admin)
        if got.is_error or got.json()["status"] != status:
            raise LoadFailed(f"{enrollment} should be {status}: {got.status_code} {got.text}")

    async def tally(self, database_urls: Mapping[str, str]) -> Tally:
        """Compare every read model with what was accepted: the seats each service counts
        through its API, and each enrollment and portfolio entry in their tables."""
        tally = Tally()
        seats_expected = Counter(a.offering_id for a in self.accepted if a.outcome in HOLDS_A_SEAT)
        for offering in [*self.offerings, *self.rounds]:
            path = f"/offerings/{offering}"
            catalogue = await self.call("GET", "catalogue", path, by=self.admin)
            enrollment = await self.call("GET", "enrollment", path, by=self.admin)
            counted = {
                "catalogue": catalogue.json()["seats_taken"],
                "enrollment": enrollment.json()["enrolled"],
            }
            for service, seats in counted.items():
                tally.compare(seats, seats_expected[offering], f"{service} seats of {offering}")
        statuses, portfolio = await _read_models(self.accepted, database_urls)
        for a in self.accepted:
            status, hours = statuses.get(uuid.UUID(a.enrollment_id), ("missing", None))
            if status != a.outcome:
                tally.missing(1, f"enrollment {a.enrollment_id} is {status}")
            elif a.outcome == "completed" and hours != a.hours:
                tally.missing(1, f"enrollment {a.enrollment_id} credits {hours} h of {a.hours}")
            entries = portfolio.get((uuid.UUID(a.staff_id), uuid.UUID(a.offering_id)), [])
            credited = sum(e["hours"] or 0 for e in entries if e["status"] == "completed")
            expected = a.hours if a.outcome == "completed" else 0.0
            if not entries or entries[0]["status"] != a.outcome:
                tally.missing(1, f"portfolio of {a.staff_id} lacks its {a.outcome} entry")
            elif len(entries) > 1 or credited > expected:
                tally.extra(1, f"portfolio of {a.staff_id}: {len(entries)} entries, {credited} h")
            elif credited < expected:
                tally.missing(1, f"portfolio of {a.staff_id}: {credited} h of {expected}")
            elif a.attendance and entries[0]["detail"].get("attendance") != a.attendance:
                tally.missing(1, f"portfolio of {a.staff_id}: attendance {entries[0]['detail']}")
        return tally


async def _read_models(
    accepted: list[Accepted], database_urls: Mapping[str, str]
) -> tuple[dict[uuid.UUID, tuple[str, float | None]], dict[tuple[uuid.UUID, uuid.UUID], list[Any]]]:
    """Each accepted enrollment's status and hours in enrollment's tables, and the portfolio's
    entries of its staff member in that offering (read in one query each: thousands of
    commands are checked twice)."""
    rows = await _fetch(
        database_urls["enrollment"],
        "SELECT enrollment_id, status, hours FROM enrollments"
        " WHERE enrollment_id = ANY($1::uuid[])",
        [a.enrollment_id for a in accepted],
    )
    enrollment = {
        r["enrollment_id"]: (r["status"], None if r["hours"] is None else float(r["hours"]))
        for r in rows
    }
    rows = await _fetch(
        database_urls["portfolio"],
        "SELECT staff_id, offering_id, status, hours, detail FROM entries"
        " WHERE staff_id = ANY($1::uuid[]) ORDER BY updated_at",
        [a.staff_id for a in accepted],
    )
    portfolio: dict[tuple[uuid.UUID, uuid.UUID], list[Any]] = {}
    for r in rows:
        entry = {
            "status": r["status"],
            "hours": None if r["hours"] is None else float(r["hours"]),
            "detail": json.loads(r["detail"]),
        }
        portfolio.setdefault((r["staff_id"], r["offering_id"]), []).append(entry)
    return enrollment, portfolio


async def _fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
        return rows
    finally:
        await conn.close()


def expect(response: httpx.Response, *statuses: int) -> None:
    if response.status_code not in statuses:
        raise LoadFailed(f"{response.request.url}: {response.status_code} {response.text}")
