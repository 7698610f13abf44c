"""The composition root every service shares: pool, broker, consumers, outbox relay."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from faststream.kafka import KafkaBroker

from services.shared.consumer import EventConsumer
from services.shared.db import SHARED_MIGRATIONS, create_pool, migrate
from services.shared.logging import get_logger
from services.shared.outbox import OutboxRelay
from services.shared.settings import ServiceSettings

log = get_logger(__name__)

ConsumerFactory = Callable[[asyncpg.Pool, KafkaBroker, ServiceSettings], Sequence[EventConsumer]]


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes one service: its name, its migrations, the consumers it runs."""

    name: str
    migrations: Path
    consumers: ConsumerFactory = lambda pool, broker, settings: ()

    @property
    def source(self) -> str:
        """The CloudEvents source of the events this service publishes."""
        return f"/huisacademie/{self.name}"


@dataclass
class Runtime:
    definition: ServiceDefinition
    settings: ServiceSettings
    pool: asyncpg.Pool
    broker: KafkaBroker
    relay: OutboxRelay
    consumers: Sequence[EventConsumer]

    @property
    def source(self) -> str:
        return self.definition.source

    async def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"service": self.definition.name}
        try:
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
            report["database"] = "ok"
            report["outbox_backlog"] = await self.relay.backlog()
        except Exception as e:
            report["database"] = f"unavailable: {e!r}"
        report["broker"] = "ok" if await self.broker.ping(timeout=2) else "unavailable"
        report["ready"] = report["database"] == "ok" and report["broker"] == "ok"
        return report


def database_migrations(definition: ServiceDefinition) -> list[Path]:
    return [SHARED_MIGRATIONS, definition.migrations]


@contextlib.asynccontextmanager
async def run_service(
    definition: ServiceDefinition, settings: ServiceSettings
) -> AsyncIterator[Runtime]:
    applied = await migrate(settings.database_url, database_migrations(definition))
    if applied:
        log.info("migrations_applied", service=definition.name, applied=applied)
    pool = await create_pool(settings.database_url)
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=definition.name,
        enable_idempotence=True,
        # A stdlib logger, so FastStream's records go through structlog's formatter; its
        # per-message "Received"/"Processed" lines are debug, not info.
        logger=logging.getLogger(f"faststream.{definition.name}"),
        log_level=logging.DEBUG,
    )
    consumers = definition.consumers(pool, broker, settings)
    relay = OutboxRelay(pool, broker, settings.database_url, batch_size=settings.outbox_batch_size)
    await broker.start()
    relay_task = asyncio.create_task(relay.run(), name=f"{definition.name}-outbox-relay")
    log.info("service_started", service=definition.name, port=settings.http_port)
    try:
        yield Runtime(definition, settings, pool, broker, relay, consumers)
    finally:
        relay_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay_task
        await broker.stop()
        await pool.close()
        log.info("service_stopped", service=definition.name)
