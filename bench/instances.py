"""The portfolio's projection as one, two and three instances, each a process of its own (as
the service's instances are), sharing a topic's six partitions through their consumer group.

`python -m bench.instances <bootstrap> <database url> <group> <topic>` runs one instance until
SIGTERM."""

import asyncio
import contextlib
import signal
import sys
import time
import uuid

import asyncpg

from bench import landed
from bench.landed import GroupWatch
from bench.projection import portfolio_consumer
from services.portfolio.app import DEFINITION
from services.shared.db import migrate
from services.shared.definition import database_migrations


async def instances_rate(
    bootstrap: str, database_url: str, expected: int, count: int, topic: str
) -> float:
    """Events a second into the portfolio with `count` instances in a consumer group of their
    own reading the whole of `topic`: from the first commit after the last instance got its
    partitions (the group's last rebalance) to the last commit."""
    await migrate(database_url, database_migrations(DEFINITION))
    group = f"bench.instances.{count}.{uuid.uuid4().hex[:8]}"
    argv = [sys.executable, "-m", "bench.instances", bootstrap, database_url, group, topic]
    running = [
        await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)
        for _ in range(count)
    ]
    try:
        for process in running:  # each says when it first holds partitions
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), 120)
            if line.strip() != b"assigned":
                raise RuntimeError(f"an instance ended before it held partitions: {line!r}")
        all_in = time.time()

        async def done() -> bool:
            if any(p.returncode is not None for p in running):
                raise RuntimeError(f"an instance exited: {[p.returncode for p in running]}")
            return await watch.caught_up()

        async with GroupWatch(bootstrap, group, [topic]) as watch:
            await watch.mark_end()
            await landed.until(done, f"{count} instances")
    finally:
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), 60)
        except TimeoutError:
            for process in running:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
    total = await landed.commit_span(database_url, "journal")
    if total.rows != expected:
        raise RuntimeError(f"the journal holds {total.rows} events, not {expected}")
    span = await landed.commit_span(database_url, "journal", since=all_in)
    if span.rows < expected // 2:
        raise RuntimeError(f"only {span.rows} of {expected} landed once all had joined")
    return span.per_second()


async def bytes_per_event(database_url: str) -> dict[str, float]:
    """What the portfolio's database holds per event it applied: each table with its indexes
    and TOAST, over the journal's rows (VACUUM first, so that dead rows are not counted)."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("VACUUM (ANALYZE) journal, entries")
        events = await conn.fetchval("SELECT count(*) FROM journal")
        sizes = await conn.fetch(
            "SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        )
    finally:
        await conn.close()
    return {r["name"]: round(r["bytes"] / events, 1) for r in sizes if r["bytes"] > 8192 * 4}


async def _instance(bootstrap: str, database_url: str, group: str, topic: str) -> None:
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    async with portfolio_consumer(bootstrap, database_url, group, topic) as (broker, consumer):
        await broker.start()
        while not consumer.assigned():  # noqa: ASYNC110 (aiokafka tells of it by no event)
            await asyncio.sleep(0.05)
        print("assigned", flush=True)
        await stopping.wait()


if __name__ == "__main__":
    import uvloop

    uvloop.run(_instance(*sys.argv[1:5]))
