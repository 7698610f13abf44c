"""Enrollment burst: thousands of concurrent enrollments on one offering with few seats, and
the bare insert endpoint under the same burst."""

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import aiohttp
import asyncpg
import httpx

from bench.http import offering, staff
from huisacademie.system import System


@dataclass(frozen=True)
class Burst:
    seconds: float
    latencies_ms: list[float]
    statuses: Counter[str]

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds


async def fire(url: str, bodies: list[dict[str, str]], connections: int = 100) -> Burst:
    """Every request at once, `connections` in flight at any moment; all must succeed.
    aiohttp, not httpx: httpx's connection pool used a whole core at 50 requests/s here."""
    gate = asyncio.Semaphore(connections)
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def one(body: dict[str, str]) -> tuple[float, str]:
            async with gate:
                began = time.perf_counter()
                async with http.post(url, json=body) as response:
                    response.raise_for_status()
                    status: str = (await response.json())["status"]
                return (time.perf_counter() - began) * 1000, status

        began = time.perf_counter()
        results = await asyncio.gather(*(one(b) for b in bodies))
        took = time.perf_counter() - began
    return Burst(took, [ms for ms, _ in results], Counter(status for _, status in results))


async def enrollment_burst(
    running: System, *, requests: int, seats: int
) -> tuple[Burst, dict[str, int]]:
    """The burst on the enrollment service; also what its database holds afterwards."""
    board = str(uuid.uuid4())
    async with httpx.AsyncClient(timeout=30) as http:
        offering_id = await offering(http, running, capacity=seats, board=board)
    bodies = [{**staff(board), "offering_id": offering_id} for _ in range(requests)]
    burst = await fire(f"{running.url('enrollment')}/enrollments", bodies)
    conn = await asyncpg.connect(running.database_urls["enrollment"])
    try:
        rows = await conn.fetch(
            "SELECT status, count(*) AS n FROM enrollments WHERE offering_id = $1 GROUP BY status",
            uuid.UUID(offering_id),
        )
    finally:
        await conn.close()
    return burst, {r["status"]: r["n"] for r in rows}


async def bare_burst(base: str, *, requests: int) -> Burst:
    bodies = [
        {"staff_id": str(uuid.uuid4()), "offering_id": str(uuid.uuid4())} for _ in range(requests)
    ]
    return await fire(f"{base}/enrollments", bodies)
