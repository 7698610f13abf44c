"""The services (and the bare reference) as processes on the benchmarks' stack, the boards
whose people call them, and the HTTP load the benchmarks send them."""

import asyncio
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx

from bench import stack as bench_stack
from bench.people import Made, People, Person
from huisacademie import stack
from huisacademie.demo.scenario import sessions
from huisacademie.stack.kafka_access import kafka_access
from huisacademie.system import System
from services.shared.clock import dutch_today
from services.shared.identity.access import Role

PORTS = {
    "catalogue": 48001, "enrollment": 48002, "portfolio": 48003, "subscriptions": 48004,
    "web": 48000,
}  # fmt: skip
BARE_PORT = 48010


def system(identity: bench_stack.Identity) -> System:
    """The services on the databases `identity` made afresh."""
    return System(
        bench_stack.LAYOUT, PORTS, bench_stack.BOOTSTRAP, bench_stack.databases(),
        (identity.trusted,), kafka_access=kafka_access(),
    )  # fmt: skip


async def start_bare() -> str:
    url = await bench_stack.fresh_database("bench_bare")
    env = {**os.environ, "BENCH_BARE_DATABASE_URL": url, "BENCH_BARE_PORT": str(BARE_PORT)}
    argv = [sys.executable, "-m", "bench.bare"]
    stack.start_process("bare", argv, bench_stack.LAYOUT, env=env, cwd=stack.repo_root())
    base = f"http://127.0.0.1:{BARE_PORT}"
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                if (await http.get(f"{base}/health")).status_code == 200:
                    return base
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the bare endpoint did not start")


def stop_bare() -> None:
    stack.stop_process("bare", bench_stack.LAYOUT)


@dataclass(frozen=True)
class Board:
    """A board of the benchmark: its administrator (who creates the academy), the academy's
    administrator (who publishes and records completions) and its staff (who enrol)."""

    board_id: UUID
    admin: Person
    academy_admin: Person
    staff: list[Person]
    made: Made
    """How long making its staff took."""


async def board(people: People, staff: int, *, name: str) -> Board:
    """A new board with `staff` staff members who sign in (none signed in yet)."""
    board_id = uuid.uuid4()
    [admin], _ = await people.make(board_id, 1, prefix=f"{name}-board", roles=[Role.BOARD_ADMIN])
    [academy_admin], _ = await people.make(
        board_id, 1, prefix=f"{name}-academy", roles=[Role.ACADEMY_ADMIN]
    )
    members, made = await people.make(board_id, staff, prefix=name)
    return Board(board_id, admin, academy_admin, members, made)


async def offering(
    http: httpx.AsyncClient, running: System, people: People, board: Board, *, capacity: int | None
) -> str:
    """An offering of the board's academy with one session yesterday, known to enrollment:
    the board's administrator creates the academy, the academy's publishes the offering."""
    cat, enr = running.url("catalogue"), running.url("enrollment")
    made = await http.post(
        f"{cat}/academies",
        json={"name": "Bench", "board_id": str(board.board_id)},
        headers=await people.headers(board.admin),
    )
    made.raise_for_status()
    academy_id = UUID(made.json()["academy_id"])
    await people.grant_academy(board.academy_admin, academy_id)
    body: dict[str, Any] = {
        "academy_id": str(academy_id),
        "title": "Benchmarked course",
        "kind": "course",
        "study_hours": 4,
        "capacity": capacity,
        "sessions": sessions(dutch_today() - timedelta(days=1)),
        "domains": ["pedagogy"],
    }
    made = await http.post(
        f"{cat}/offerings", json=body, headers=await people.headers(board.academy_admin)
    )
    made.raise_for_status()
    offering_id: str = made.json()["offering_id"]
    deadline = time.monotonic() + 60
    while True:
        known = await http.get(
            f"{enr}/offerings/{offering_id}", headers=await people.headers(board.academy_admin)
        )
        if known.status_code == 200:
            return offering_id
        if known.status_code not in (404, 503):
            known.raise_for_status()
        if time.monotonic() > deadline:
            raise RuntimeError("enrollment never learnt of the offering")
        await asyncio.sleep(0.05)


@dataclass(frozen=True)
class Setup:
    """What a benchmark's people took to make and sign in, before its timed part."""

    made: Made
    tokens: int
    tokens_s: float

    def describe(self) -> str:
        made = self.made
        return (
            f"{made.count:,} people: users {made.users_s:.1f} s, directory"
            f" {made.directory_s:.1f} s; {self.tokens:,} tokens {self.tokens_s:.1f} s"
            f" ({self.tokens / max(self.tokens_s, 1e-9):.0f}/s)"
        )


def enrolment(offering_id: str) -> dict[str, str]:
    """What a staff member sends to enrol themself: who they are and their board come from
    their token, so the body leaves them out."""
    return {"offering_id": offering_id, "role": "teacher"}
