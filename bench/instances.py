"""The portfolio's projection as one, two and three instances, each a process of its own (as
the service's instances are), sharing a topic's six partitions through their consumer group.

`python -m bench.instances <bootstrap> <database url> <group> <topic>` runs one instance until
SIGTERM."""

import asyncio
import dataclasses
import signal
import sys
import uuid

import asyncpg
from faststream.kafka import KafkaBroker

from bench import landed
from bench.landed import GroupWatch
from contracts.topics import ENROLLMENTS
from services.portfolio.app import DEFINITION, PortfolioSettings
from services.shared.db import create_pool, migrate
from services.shared.definition import database_migrations
from services.shared.kafka_access import PRODUCER, kafka_security, servers


async def instances_rate(
    bootstrap: str, database_url: str, expected: int, count: int, topic: str
) -> float:
    """Events a second into the portfolio, first commit to last, with `count` instances in a
    consumer group of their own reading the whole of `topic`."""
    await migrate(database_url, database_migrations(DEFINITION))
    group = f"bench.instances.{count}.{uuid.uuid4().hex[:8]}"
    argv = [sys.executable, "-m", "bench.instances", bootstrap, database_url, group, topic]
    running = [await asyncio.create_subprocess_exec(*argv) for _ in range(count)]
    try:
        async with GroupWatch(bootstrap, group, [topic]) as watch:
            await watch.mark_end()
            await landed.until(watch.caught_up, f"{count} instances")
    finally:
        for process in running:
            process.terminate()
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), 60)
    span = await landed.commit_span(database_url, "journal")
    if span.rows != expected:
        raise RuntimeError(f"the journal holds {span.rows} events, not {expected}")
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
    pool = await create_pool(database_url)
    broker = KafkaBroker(servers(bootstrap), **PRODUCER, logger=None, security=kafka_security())
    settings = PortfolioSettings(database_url=database_url)
    subscription = next(s for s in DEFINITION.subscriptions if ENROLLMENTS in s.topics)
    subscription = dataclasses.replace(subscription, group=group, topics=(topic,))
    consumer = DEFINITION.consumer(subscription, pool, broker, settings)
    consumer.subscribe(topic)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    try:
        await broker.start()
        await stopping.wait()
    finally:
        await broker.stop()
        await pool.close()


if __name__ == "__main__":
    import uvloop

    uvloop.run(_instance(*sys.argv[1:5]))
