"""The services (and the bare reference) as processes on the benchmarks' stack, and the
HTTP load the benchmarks send them."""

import asyncio
import os
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx

from bench import stack as bench_stack
from huisacademie import stack
from huisacademie.demo.scenario import sessions
from huisacademie.system import SERVICES, System
from services.shared.clock import dutch_today

PORTS = {"catalogue": 48001, "enrollment": 48002, "portfolio": 48003}
BARE_PORT = 48010


async def system() -> System:
    urls = {name: await bench_stack.fresh_database(f"bench_{name}") for name in SERVICES}
    return System(bench_stack.LAYOUT, PORTS, bench_stack.BOOTSTRAP, urls)


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


async def offering(
    http: httpx.AsyncClient, running: System, *, capacity: int | None, board: str
) -> str:
    """An academy's offering with one session yesterday, known to enrollment."""
    cat, enr = running.url("catalogue"), running.url("enrollment")
    academy = (
        await http.post(f"{cat}/academies", json={"name": "Bench", "board_id": board})
    ).json()
    body: dict[str, Any] = {
        "academy_id": academy["academy_id"],
        "title": "Benchmarked course",
        "kind": "course",
        "study_hours": 4,
        "capacity": capacity,
        "sessions": sessions(dutch_today() - timedelta(days=1)),
        "domains": ["pedagogy"],
    }
    made = await http.post(f"{cat}/offerings", json=body)
    made.raise_for_status()
    offering_id: str = made.json()["offering_id"]
    deadline = time.monotonic() + 60
    while (await http.get(f"{enr}/offerings/{offering_id}")).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("enrollment never learnt of the offering")
        await asyncio.sleep(0.05)
    return offering_id


def staff(board: str) -> dict[str, str]:
    return {"staff_id": str(uuid.uuid4()), "board_id": board, "role": "teacher"}
