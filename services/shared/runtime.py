"""The composition root every service shares: pool, broker, consumers, outbox relay.

A service starts whatever is down: its HTTP API answers at once (503 until the database
is reached), the database (and its migrations: they are `huisacademie migrate`'s, never
the service's) and then Kafka are retried with backoff until they answer, and
commands are accepted as soon as the database is there, their events kept in the outbox
until Kafka is.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, Generic, TypeVar

import asyncpg
from faststream.kafka import KafkaBroker

from services.shared.consumer import EventConsumer
from services.shared.db import create_pool, pending_migrations
from services.shared.definition import Job, ServiceDefinition, Subscription, database_migrations
from services.shared.identity import directory
from services.shared.identity.directory import Directory
from services.shared.identity.http import Gate
from services.shared.identity.tokens import TokenVerifier
from services.shared.kafka_access import CLIENT, PRODUCER, servers
from services.shared.kafka_client import recover_closed_connections
from services.shared.logging import get_logger
from services.shared.metrics import ASSIGNED, LAG, OUTBOX, READY
from services.shared.outbox import OutboxRelay
from services.shared.privacy import keys
from services.shared.privacy.sealing import Sealer
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Database

log = get_logger(__name__)
S = TypeVar("S")


class NotReady(Exception):
    """The service cannot answer yet: its database has not been reached."""


class SchemaBehind(Exception):
    """The database lacks migrations this version needs: the service waits for them."""

    def __init__(self, database: str, pending: Sequence[str]) -> None:
        super().__init__(
            f"the {database} database lacks migrations {', '.join(pending)}:"
            " run `huisacademie migrate` (the migration role applies them)"
        )


async def _until_done(
    what: str, attempt: Callable[[], Awaitable[None]], waiting: dict[str, Exception]
) -> None:
    """Retries `attempt` with backoff; `waiting[what]` says why, while it fails."""
    delay = 0.5
    while True:
        try:
            await attempt()
            waiting.pop(what, None)
            return
        except Exception as e:
            waiting[what] = e
            log.warning("waiting_for", what=what, error=repr(e), retry_in_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def _why(error: Exception | None) -> str:
    """What start-up waits for, safe to show anyone: a schema behind says which
    migrations; any other failure, only its kind (never an address or a password)."""
    if isinstance(error, SchemaBehind | NotReady):
        return str(error)
    return "not reached yet" + (f" ({type(error).__name__})" if error else "")


class Runtime(Generic[S]):
    def __init__(self, definition: ServiceDefinition[S], settings: ServiceSettings) -> None:
        recover_closed_connections()  # aiokafka under uvloop: see services/shared/kafka_client
        self.definition = definition
        self.settings = settings
        credentials = settings.kafka_credentials()
        self.broker = KafkaBroker(
            servers(settings.kafka_bootstrap_servers),
            # Its own principal only: never the one a parent process had in its environment.
            security=credentials.security() if credentials else None,
            client_id=definition.name,
            **PRODUCER,
            **CLIENT,
            graceful_timeout=settings.shutdown_grace_s,
            # A stdlib logger, so FastStream's records go through structlog's formatter;
            # its per-message "Received"/"Processed" lines are debug, not info.
            logger=logging.getLogger(f"faststream.{definition.name}"),
            log_level=logging.DEBUG,
        )
        self.consumers: Sequence[EventConsumer] = ()
        self._pool: asyncpg.Pool | None = None
        self._directory_pool: asyncpg.Pool | None = None
        self._gate: Gate | None = None
        self._database: Database[S] | None = None
        self._relay: OutboxRelay | None = None
        self._broker_started = False
        self._relay_task: asyncio.Task[None] | None = None
        self._jobs: list[asyncio.Task[None]] = []
        self._waiting: dict[str, Exception] = {}
        self._sealer: Sealer | None = None
        """What start-up waits for, and why."""

    @property
    def source(self) -> str:
        return self.definition.source

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise NotReady(f"{self.definition.name} is starting: its database is not reached yet")
        return self._pool

    @property
    def database(self) -> Database[S]:
        if self._database is None:
            raise NotReady(f"{self.definition.name} is starting: its database is not reached yet")
        return self._database

    @property
    def gate(self) -> Gate:
        if self._gate is None:
            if self.settings.directory_database_url is None:
                raise NotReady("no directory is configured (DIRECTORY_DATABASE_URL)")
            name = self.definition.name
            raise NotReady(f"{name} is starting: the directory's database is not reached yet")
        return self._gate

    @property
    def _directory(self) -> Directory | None:
        """The directory, where one is configured: events name their person's employer."""
        return self._gate.directory if self._gate is not None else None

    @property
    def relay(self) -> OutboxRelay:
        if self._relay is None:
            raise NotReady(f"{self.definition.name} is starting: its database is not reached yet")
        return self._relay

    async def start(self) -> None:
        """Reach the database, then Kafka, however long either takes."""
        name, settings = self.definition.name, self.settings
        await _until_done("database", self._open_database, self._waiting)
        if settings.keystore_database_url is not None or self.definition.seals:
            await _until_done("keystore", self._open_keystore, self._waiting)
        if settings.directory_database_url is not None:
            await _until_done("directory", self._open_directory, self._waiting)
        self._database = self.definition.database(self.pool, self._sealer, self._directory)
        self.consumers = [self._subscribe(s) for s in self.definition.subscriptions]
        self._relay = OutboxRelay(
            self.pool,
            self.broker,
            settings.database_url,
            batch_size=settings.outbox_batch_size,
            published_kept=timedelta(days=settings.outbox_published_kept_days),
            parked_kept=timedelta(days=settings.outbox_parked_kept_days),
        )
        await _until_done("kafka", self._start_broker, self._waiting)
        self._relay_task = asyncio.create_task(self._relay.run(), name=f"{name}-outbox-relay")
        self._jobs = [
            asyncio.create_task(self._every(job), name=f"{name}-{job.name}")
            for job in self.definition.jobs
        ]
        log.info("service_started", service=name, port=settings.http_port)

    async def _every(self, job: Job[S]) -> None:
        while True:
            try:
                await job.run(self.database, self.gate.directory, self.settings)
            except Exception as e:  # tried again at its next time
                # The kind only: an error's text may carry what it was working on.
                log.warning("job_failed", job=job.name, error=type(e).__name__)
            await asyncio.sleep(job.every_s(self.settings))

    def _subscribe(self, subscription: Subscription) -> EventConsumer:
        consumer = self.definition.consumer(
            subscription, self.pool, self.broker, self.settings, self._sealer, self._directory
        )
        consumer.subscribe(*subscription.topics)
        return consumer

    async def _open_database(self) -> None:
        url = self.settings.database_url
        if pending := await pending_migrations(url, database_migrations(self.definition)):
            raise SchemaBehind(self.definition.name, pending)
        self._pool = await create_pool(
            self.settings.database_url, command_timeout=self.settings.database_command_timeout_s
        )

    async def _open_keystore(self) -> None:
        url, master = self.settings.keystore_database_url, self.settings.master_key()
        if url is None or master is None:
            raise NotReady(
                f"{self.definition.name} seals what people write: set KEYSTORE_DATABASE_URL"
                " and KEYSTORE_MASTER_KEY"
            )
        if pending := await pending_migrations(url, [keys.MIGRATIONS]):
            raise SchemaBehind("keystore", pending)
        previous = self.settings.previous_master_key()
        self._sealer = Sealer(await keys.open_key_store(url, master, previous))

    async def _open_directory(self) -> None:
        url = self.settings.directory_database_url
        assert url is not None
        if pending := await pending_migrations(url, [directory.MIGRATIONS]):
            raise SchemaBehind("directory", pending)
        self._directory_pool = await create_pool(
            url, min_size=1, max_size=5, command_timeout=self.settings.database_command_timeout_s
        )
        settings = self.settings
        verifier = TokenVerifier(
            settings.oidc_issuers, settings.oidc_audience, leeway_s=settings.oidc_leeway_s
        )
        known = Directory(self._directory_pool)
        await known.listen(url)
        self._gate = Gate(verifier, known, self.definition.policy)

    async def _start_broker(self) -> None:
        try:
            await self.broker.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await self.broker.stop()
            raise
        self._broker_started = True

    async def stop(self) -> None:
        """Stop fetching (events in flight finish within the grace period or are abandoned
        uncommitted), flush the outbox relay, then close; bounded in time throughout."""
        grace = self.settings.shutdown_grace_s
        for task in self._jobs:
            task.cancel()
        await asyncio.gather(*self._jobs, return_exceptions=True)
        for consumer in self.consumers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), grace)
        if self._relay is not None and self._relay_task is not None:
            self._relay.stop()
            try:
                await asyncio.wait_for(self._relay_task, grace)
            except (TimeoutError, Exception) as e:
                log.warning("outbox_flush_abandoned", error=repr(e))
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.broker.stop(), grace)
        if self._gate is not None:
            with contextlib.suppress(Exception):
                await self._gate.verifier.close()
                await self._gate.directory.close()
        if self._sealer is not None:
            with contextlib.suppress(Exception):
                await self._sealer.keys.close()
        for pool in (self._pool, self._directory_pool):
            if pool is not None:
                try:
                    await asyncio.wait_for(pool.close(), grace)
                except TimeoutError:
                    pool.terminate()
        log.info("service_stopped", service=self.definition.name)

    async def health(self, *, consumers: bool = True) -> dict[str, Any]:
        """What serving requests needs (the database, the key store, the directory) decides
        `ready`: commands work while Kafka is away, the outbox holds their events. What the
        consumers need (the broker, their partitions, the relay) decides `consuming`, which
        is reported and alerted on apart from it, so a rebalance or a broker outage takes no
        instance out of its load balancer. Without `consumers`, the broker is not asked (its
        ping waits out its timeout while the broker is away)."""
        report: dict[str, Any] = {"service": self.definition.name}
        serving = False
        if self._pool is None:
            report["database"] = f"starting: {_why(self._waiting.get('database'))}"
        else:
            try:
                async with self._pool.acquire(timeout=2) as conn:
                    await conn.fetchval("SELECT 1", timeout=2)
                serving = True
                report["database"] = "ok"
                report["outbox_backlog"] = await self.relay.backlog()
            except Exception as e:
                report["database"] = f"unavailable: {e!r}"
        if self.settings.keystore_database_url is not None or self.definition.seals:
            serving = serving and self._sealer is not None
            report["keystore"] = (
                "ok" if self._sealer else f"starting: {_why(self._waiting.get('keystore'))}"
            )
        if self.settings.directory_database_url is not None:
            serving = serving and self._gate is not None
            report["directory"] = (
                "ok" if self._gate else f"starting: {_why(self._waiting.get('directory'))}"
            )
        report["ready"] = serving
        READY.set(1 if serving else 0)
        self._count_partitions()
        if consumers:
            report.update(await self._consuming())
        return report

    async def _consuming(self) -> dict[str, Any]:
        broker_ok = self._broker_started and await self.broker.ping(timeout=2)
        relaying = self._relay_task is not None and not self._relay_task.done()
        held = {c.group: c.assigned() for c in self.consumers}
        return {
            "broker": "ok" if broker_ok else "unavailable",
            "consumers": {
                group: f"{n} partitions" if n else "waiting for partitions"
                for group, n in held.items()
            },
            "relay": "running" if relaying else "not running",
            "consuming": broker_ok and relaying and all(held.values()),
        }

    def _count_partitions(self) -> None:
        for consumer in self.consumers:
            ASSIGNED.labels(consumer.group).set(consumer.assigned())

    async def measure(self) -> None:
        """Set the gauges a scrape reads: consumer lag, partitions held, outbox backlog."""
        self._count_partitions()
        for consumer in self.consumers:
            with contextlib.suppress(Exception):
                for (topic, partition), lag in (await consumer.lag()).items():
                    LAG.labels(consumer.group, topic, str(partition)).set(lag)
        if self._relay is not None:
            with contextlib.suppress(Exception):
                for state, rows in (await self._relay.backlog()).items():
                    OUTBOX.labels(state).set(rows)


@contextlib.asynccontextmanager
async def run_service(
    definition: ServiceDefinition[S], settings: ServiceSettings
) -> AsyncIterator[Runtime[S]]:
    runtime = Runtime(definition, settings)
    starting = asyncio.create_task(runtime.start(), name=f"{definition.name}-start")
    try:
        yield runtime
    finally:
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await starting
        await runtime.stop()
