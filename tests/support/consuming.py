"""Running an EventConsumer in a test, with an effect whose every application is visible."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import asyncpg
from faststream.kafka import KafkaBroker

from contracts import Envelope, Event
from contracts.enrollment import Completed
from services.shared.consumer import EventConsumer
from services.shared.db import Connection
from services.shared.kafka_access import kafka_security
from services.shared.unit_of_work import Database, UnitOfWork
from tests.support.infra import Infrastructure


async def record_effect(conn: Connection, event: Completed) -> None:
    """Adds a row per application: the effects table has no key, so twice shows as two."""
    await conn.execute(
        "INSERT INTO effects (event_id, staff_id, hours) VALUES ($1, $2, $3)",
        event.enrollment_id,
        event.staff_id,
        event.hours,
    )


Effect = Callable[[Connection, Completed], Awaitable[None]]
"""What a test's consumer does with one event, on the unit of work's connection."""


@asynccontextmanager
async def consuming(
    infra: Infrastructure,
    pool: asyncpg.Pool,
    topic: str,
    effect: Effect = record_effect,
    *,
    max_attempts: int = 6,
    group: str | None = None,
) -> AsyncIterator[None]:
    """A consumer of `topic` in a consumer group of its own (or `group`), applying
    Completed events."""
    broker = KafkaBroker(infra.kafka_bootstrap, enable_idempotence=True, security=kafka_security())
    group = group or f"it-{uuid.uuid4().hex[:8]}"

    async def apply(unit: UnitOfWork[Connection], events: Sequence[Completed]) -> None:
        for event in events:
            await effect(unit.store, event)

    database = Database(pool, "/test", store=lambda conn: conn)
    consumer = EventConsumer(group, database, broker, {Completed: apply}, max_attempts=max_attempts)
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
