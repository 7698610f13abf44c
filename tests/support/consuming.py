"""Running an EventConsumer in a test, with an effect whose every application is visible."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
from faststream.kafka import KafkaBroker

from contracts import Completed, Envelope, Event
from services.shared.consumer import EventConsumer, Handler
from services.shared.db import Connection
from tests.support.infra import Infrastructure


async def record_effect(conn: Connection, event: Completed) -> None:
    """Adds a row per application: the effects table has no key, so twice shows as two."""
    await conn.execute(
        "INSERT INTO effects (event_id, staff_id, hours) VALUES ($1, $2, $3)",
        event.enrollment_id,
        event.staff_id,
        event.hours,
    )


@asynccontextmanager
async def consuming(
    infra: Infrastructure,
    pool: asyncpg.Pool,
    topic: str,
    handler: Handler = record_effect,
    *,
    max_attempts: int = 6,
) -> AsyncIterator[None]:
    """A consumer of `topic` in a consumer group of its own, applying Completed events."""
    broker = KafkaBroker(infra.kafka_bootstrap, enable_idempotence=True)
    group = f"it-{uuid.uuid4().hex[:8]}"
    consumer = EventConsumer(group, pool, broker, {Completed: handler}, max_attempts=max_attempts)
    consumer.subscribe(topic)
    await broker.start()
    try:
        yield
    finally:
        await broker.stop()


def effect_seen(pool: asyncpg.Pool, envelope: Envelope[Event]) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        data = envelope.data
        assert isinstance(data, Completed)
        return bool(
            await pool.fetchval(
                "SELECT count(*) FROM effects WHERE event_id = $1", data.enrollment_id
            )
        )

    return probe
