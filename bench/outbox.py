"""Outbox relay throughput: committed events published per second, against aiokafka
producing the same records directly."""

import asyncio
import time

from faststream.kafka import KafkaBroker

from bench.events import Record, produce
from contracts import Envelope, Event
from services.shared import outbox
from services.shared.db import SHARED_MIGRATIONS, create_pool, migrate
from services.shared.kafka_access import kafka_security
from services.shared.outbox import OutboxRelay


async def relay_seconds(
    bootstrap: str, database_url: str, envelopes: list[Envelope[Event]]
) -> float:
    """Commit the events to the outbox (not timed), then time the relay publishing them."""
    await migrate(database_url, [SHARED_MIGRATIONS])
    pool = await create_pool(database_url)
    broker = KafkaBroker(bootstrap, enable_idempotence=True, logger=None, security=kafka_security())
    try:
        async with pool.acquire() as conn:
            for start in range(0, len(envelopes), 1000):
                async with conn.transaction():
                    await outbox.put(
                        conn, "/bench", [e.data for e in envelopes[start : start + 1000]]
                    )
        await broker.start()
        relay = OutboxRelay(pool, broker, database_url)
        began = time.perf_counter()
        task = asyncio.create_task(relay.run())
        while True:
            if not (await relay.backlog())["pending"]:
                break
            await asyncio.sleep(0.02)
        took = time.perf_counter() - began
        relay.stop()
        await task
        return took
    finally:
        await broker.stop()
        await pool.close()


async def direct_seconds(bootstrap: str, topic: str, records: list[Record]) -> float:
    began = time.perf_counter()
    await produce(bootstrap, topic, records)
    return time.perf_counter() - began
