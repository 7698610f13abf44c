"""Outbox relay throughput: committed events published per second, against aiokafka
producing the same records directly."""

import asyncio
import time

from faststream.kafka import KafkaBroker

from bench import landed
from bench.events import Record, produce
from contracts import Envelope, Event
from services.shared import outbox
from services.shared.db import SHARED_MIGRATIONS, create_pool, migrate
from services.shared.kafka_access import PRODUCER, kafka_security
from services.shared.outbox import OutboxRelay


async def relay_seconds(
    bootstrap: str, database_url: str, envelopes: list[Envelope[Event]]
) -> float:
    """Commit the events to the outbox (not timed), then time the relay publishing them:
    from its start to the commit that marked the last row sent. Whether it is done is
    asked once a second, through the index of rows still to send."""
    await migrate(database_url, [SHARED_MIGRATIONS])
    pool = await create_pool(database_url)
    broker = KafkaBroker(bootstrap, **PRODUCER, logger=None, security=kafka_security())
    try:
        async with pool.acquire() as conn:
            for start in range(0, len(envelopes), 1000):
                async with conn.transaction():
                    await outbox.put(
                        conn, "/bench", [e.data for e in envelopes[start : start + 1000]]
                    )
        await broker.start()
        relay = OutboxRelay(pool, broker, database_url)
        began = time.time()
        task = asyncio.create_task(relay.run())

        async def sent() -> bool:
            return not await pool.fetchval(
                "SELECT EXISTS (SELECT FROM outbox"
                " WHERE published_at IS NULL AND parked_at IS NULL)"
            )

        await landed.until(sent, "the relay")
        relay.stop()
        await task
        last = await pool.fetchval(
            "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin)))::float8 FROM outbox"
        )
        return float(last) - began
    finally:
        await broker.stop()
        await pool.close()


async def direct_seconds(bootstrap: str, topic: str, records: list[Record]) -> float:
    """A producer with the relay's settings (PRODUCER) sending the same records."""
    began = time.perf_counter()
    await produce(bootstrap, topic, records, **PRODUCER)
    return time.perf_counter() - began
