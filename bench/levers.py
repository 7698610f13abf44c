"""`python -m bench.levers`: the projection alone with its references of the same run (the
raw consumer with the same fetch settings, and the sink floor), the way each lever in
docs/benchmarks.md was measured before and after it. On the bench's own Kafka and
PostgreSQL (Keycloak is not needed). LEVER_EVENTS (default 40,000) Completed events,
LEVER_RUNS (default 3) runs of the projection, each into a fresh database with a fresh
consumer group; LEVER_REBUILD=1 also rebuilds each run's database."""

import asyncio
import os
import statistics
import sys
import uuid

import uvloop

from bench import events, projection, rebuild, sink_floor, stack
from contracts.topics import ENROLLMENTS


def say(text: str) -> None:
    print(f"[levers] {text}", file=sys.stderr, flush=True)


async def main() -> None:
    n = int(os.environ.get("LEVER_EVENTS", "40000"))
    runs = int(os.environ.get("LEVER_RUNS", "3"))
    with_rebuild = os.environ.get("LEVER_REBUILD") == "1"
    await asyncio.to_thread(stack.start, keycloak=False)
    try:
        await events.produce(
            stack.BOOTSTRAP, ENROLLMENTS, [events.as_record(e) for e in events.completions(n)]
        )
        raw = round(n / await projection.raw_consume_seconds(stack.BOOTSTRAP, ENROLLMENTS, n), 1)
        floor_url = await stack.fresh_database("bench_floor")
        floor = await sink_floor.sink_floor_rate(stack.BOOTSTRAP, ENROLLMENTS, floor_url, n)
        say(f"{n:,} events: raw consume {raw:,.0f}/s, sink floor {floor:,.0f}/s")
        rates, rebuilt = [], []
        for run in range(runs):
            url = await stack.fresh_database("bench_lever")
            group = f"bench.levers.{uuid.uuid4().hex[:8]}"
            rate = await projection.projection_rate(stack.BOOTSTRAP, url, n, group)
            rates.append(rate)
            line = f"run {run + 1}: projection {rate:,.0f}/s ({rate / floor:.2f} of the floor)"
            if with_rebuild:
                took, replayed = await rebuild.rebuild_seconds(stack.BOOTSTRAP, url)
                rebuilt.append(replayed / took)
                line += f"; rebuild {replayed / took:,.0f}/s over {replayed:,}"
            say(line)
        median = statistics.median(rates)
        say(
            f"projection median {median:,.0f}/s ({median / floor:.2f} of the floor,"
            f" {median / raw:.3f} of raw)"
            + (f"; rebuild median {statistics.median(rebuilt):,.0f}/s" if rebuilt else "")
        )
    finally:
        await asyncio.to_thread(stack.stop)


if __name__ == "__main__":
    uvloop.run(main())
