"""A steady load of the demo's kinds of commands, what each accepted command should have
done, and the check that every read model shows it exactly once."""

import asyncio
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from contracts.topics import EVENT_TOPICS, dead_letter
from huisacademie.demo.scenario import sessions
from services.shared.clock import dutch_today
from tests.support.kafka import read_all

RETRYABLE = {502, 503, 504}


class LoadFailed(AssertionError):
    pass


@dataclass
class Accepted:
    """One staff member's enrollment and how it ended, as the enrollment service accepted."""

    staff_id: str
    offering_id: str
    enrollment_id: str
    outcome: str  # "completed" or "cancelled"
    hours: float


@dataclass
class Tally:
    lost: int = 0
    double_counted: int = 0
    problems: list[str] = field(default_factory=list)

    def missing(self, count: int, what: str) -> None:
        self.lost += count
        self.problems.append(f"lost {count}: {what}")

    def extra(self, count: int, what: str) -> None:
        self.double_counted += count
        self.problems.append(f"double-counted {count}: {what}")

    @property
    def exact(self) -> bool:
        return not self.problems


class Load:
    """Enrols new staff members and completes (or, one in five, cancels) their enrollments,
    retrying every command through outages with the same Idempotency-Key."""

    def __init__(self, url: Callable[[str], str], *, patience: float = 180.0) -> None:
        self._url = url
        self._patience = patience
        self._http = httpx.AsyncClient(timeout=30)
        self.board = str(uuid.uuid4())
        self.offerings: list[str] = []
        self.accepted: list[Accepted] = []
        self.server_errors: list[str] = []
        self._numbers = itertools.count()

    async def close(self) -> None:
        await self._http.aclose()

    async def call(
        self, method: str, service: str, path: str, body: Any = None, **headers: str
    ) -> httpx.Response:
        """The answer to a command, sent again while the service is down or says 503."""
        deadline = time.monotonic() + self._patience
        while True:
            try:
                response = await self._http.request(
                    method, self._url(service) + path, json=body, headers=headers
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

    async def prepare(self, offerings: int = 4) -> None:
        """An academy and its offerings, known to enrollment before the load starts."""
        academy = await self.call(
            "POST", "catalogue", "/academies", {"name": "Faultacademie", "board_id": self.board}
        )
        academy_id = academy.json()["academy_id"]
        for n in range(offerings):
            body = {
                "academy_id": academy_id,
                "title": f"Course {n}",
                "kind": "course",
                "study_hours": 8,
                "capacity": None,
                "sessions": sessions(dutch_today() - timedelta(days=1)),
                "domains": ["pedagogy"],
                "goal_tags": ["faults"],
            }
            made = await self.call("POST", "catalogue", "/offerings", body)
            assert made.status_code == 201, made.text
            self.offerings.append(made.json()["offering_id"])
        for offering in self.offerings:
            deadline = time.monotonic() + 60
            while (await self.call("GET", "enrollment", f"/offerings/{offering}")).is_error:
                if time.monotonic() > deadline:
                    raise LoadFailed(f"enrollment never learnt of offering {offering}")
                await asyncio.sleep(0.2)

    async def run(self, stop: asyncio.Event, workers: int = 4, pause: float = 0.01) -> None:
        async def worker() -> None:
            while not stop.is_set():
                await self.one(next(self._numbers))
                await asyncio.sleep(pause)

        await asyncio.gather(*(worker() for _ in range(workers)))

    async def one(self, n: int) -> None:
        staff, offering = str(uuid.uuid4()), self.offerings[n % len(self.offerings)]
        body = {"staff_id": staff, "board_id": self.board, "role": "teacher"}
        enrolled = await self.call(
            "POST", "enrollment", "/enrollments", {**body, "offering_id": offering},
            **{"Idempotency-Key": f"fault-{staff}"},
        )  # fmt: skip
        if enrolled.status_code not in (200, 201):
            raise LoadFailed(f"enrol: {enrolled.status_code} {enrolled.text}")
        enrollment = enrolled.json()["enrollment_id"]
        hours = float(1 + n % 4)
        command: dict[str, Any] = {"reason": "fault test"}
        if n % 5 == 0:
            outcome, path = "cancelled", "cancel"
        else:
            outcome, path = "completed", "complete"
            command["hours"] = hours
        done = await self.call("POST", "enrollment", f"/enrollments/{enrollment}/{path}", command)
        if done.status_code == 409:  # an earlier try, cut off, went through
            done = await self.call("GET", "enrollment", f"/enrollments/{enrollment}")
        if done.is_error or done.json()["status"] != outcome:
            raise LoadFailed(f"{path} {enrollment}: {done.status_code} {done.text}")
        self.accepted.append(Accepted(staff, offering, enrollment, outcome, hours))

    async def tally(self) -> Tally:
        """Compare every read model with what was accepted."""
        tally = Tally()
        seats_expected = Counter(a.offering_id for a in self.accepted if a.outcome != "cancelled")
        for offering in self.offerings:
            got = (await self.call("GET", "catalogue", f"/offerings/{offering}")).json()
            diff = got["seats_taken"] - seats_expected[offering]
            if diff > 0:
                tally.extra(diff, f"catalogue seats of {offering}")
            elif diff < 0:
                tally.missing(-diff, f"catalogue seats of {offering}")
        semaphore = asyncio.Semaphore(16)

        async def check(a: Accepted) -> None:
            async with semaphore:
                status = await self.call("GET", "enrollment", f"/enrollments/{a.enrollment_id}")
                portfolio = await self.call("GET", "portfolio", f"/staff/{a.staff_id}/portfolio")
            if status.json()["status"] != a.outcome:
                tally.missing(1, f"enrollment {a.enrollment_id} is {status.json()['status']}")
            entries = [e for e in portfolio.json()["entries"] if e["offering_id"] == a.offering_id]
            hours = portfolio.json()["total_hours"]
            expected = a.hours if a.outcome == "completed" else 0.0
            if not entries or entries[0]["status"] != a.outcome:
                tally.missing(1, f"portfolio of {a.staff_id} lacks its {a.outcome} entry")
            elif len(entries) > 1 or hours > expected:
                tally.extra(1, f"portfolio of {a.staff_id}: {len(entries)} entries, {hours} h")
            elif hours < expected:
                tally.missing(1, f"portfolio of {a.staff_id}: {hours} h of {expected}")

        await asyncio.gather(*(check(a) for a in self.accepted))
        return tally

    async def settle(self, lab_lag: Callable[[], Any], within: float = 180.0) -> Tally:
        """Wait until nothing is in flight and the read models agree; the last tally."""
        deadline = time.monotonic() + within
        while True:
            began = time.monotonic()
            lag = await lab_lag()
            if lag and time.monotonic() < deadline:
                print(f"[fault] lag {lag}", flush=True)
                await asyncio.sleep(1)
                continue
            tally = await self.tally()
            print(
                f"[fault] lag {lag}, tally {tally.problems[:3]} in {time.monotonic() - began:.1f} s"
            )
            if tally.exact or time.monotonic() > deadline:
                return tally
            await asyncio.sleep(1)


async def published(bootstrap: str) -> Counter[str]:
    """How many times each event id is in the event topics."""
    seen: Counter[str] = Counter()
    for topic in EVENT_TOPICS:
        for record in await read_all(bootstrap, topic, within=60):
            ids = [v.decode() for k, v in record.headers if k == "ce_id"]
            seen.update(ids)
    return seen


async def dead_letters(bootstrap: str) -> list[dict[str, str]]:
    letters = []
    for topic in EVENT_TOPICS:
        for record in await read_all(bootstrap, dead_letter(topic), within=60):
            letters.append({k: (v or b"").decode(errors="replace") for k, v in record.headers})
    return letters
