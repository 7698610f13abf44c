"""The delivery worker, on every instance: takes the deliveries due (the first undelivered
one of each subscription and key, leased so that no other instance takes it), makes them
concurrently, and records each outcome. A subscriber that is slow, down or refusing holds
up only its own deliveries: at most `per_subscription` of the `concurrency` slots, each
for at most the delivery timeout; its later events for the same person wait behind a
failed one, tried again with exponential backoff. Woken by NOTIFY when deliveries are
queued; a worker killed mid-delivery leaves a lease that runs out, and the delivery is
made again with the same webhook-id."""

import asyncio
import contextlib
from datetime import timedelta

import asyncpg

from services.shared.clock import now
from services.shared.identity.directory import Directory
from services.shared.logging import get_logger
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Database
from services.subscriptions.config import SubscriptionsConfig, config
from services.subscriptions.domain.retries import next_try
from services.subscriptions.sending import Answer, Sender
from services.subscriptions.store import DeliveryStore, Store
from services.subscriptions.store.deliveries import Due, Outcome
from services.subscriptions.store.subscriptions import QUEUED

log = get_logger(__name__)


async def deliver(database: Database[Store], directory: Directory, _: ServiceSettings) -> None:
    """Deliver until cancelled (the service stops)."""
    settings = config()
    sender = Sender(
        directory, settings.allowed_networks, settings.public_url, settings.delivery_timeout_s
    )
    try:
        await Worker(database, sender, settings).run()
    finally:
        await sender.close()


class Worker:
    def __init__(
        self, database: Database[Store], sender: Sender, settings: SubscriptionsConfig
    ) -> None:
        self._database = database
        self._sender = sender
        self._settings = settings
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        async with self._database.pool.acquire() as listening:
            await listening.add_listener(QUEUED, self._woken)
            try:
                while True:
                    self._wake.clear()  # before taking: a wake-up while taking is kept
                    try:
                        await self._take()
                    except (OSError, asyncpg.PostgresError) as e:  # in flight go on meanwhile
                        log.warning("deliveries_not_taken", error=type(e).__name__)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            finally:
                await listening.remove_listener(QUEUED, self._woken)
                for task in self._in_flight:
                    task.cancel()
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    def _woken(self, *_: object) -> None:
        self._wake.set()

    async def _take(self) -> None:
        free = self._settings.concurrency - len(self._in_flight)
        if free <= 0:
            return
        lease = timedelta(seconds=self._settings.lease_s)
        async with self._database.pool.acquire() as conn:
            due = await DeliveryStore(conn).take(free, self._settings.per_subscription, lease)
        for delivery in due:
            task = asyncio.create_task(self._deliver(delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()

    async def _deliver(self, due: Due) -> None:
        try:
            answer = await self._sender.send(due)
        except Exception as e:  # a bug fails this delivery, not the worker
            log.warning("delivery_failed", delivery=due.id, error=type(e).__name__)
            answer = Answer(None, f"could not be made: {type(e).__name__}", 0.0)
        s = self._settings
        retry = None if answer.delivered else next_try(due.attempts, s.retry_base_s, s.retry_cap_s)
        outcome = Outcome(
            due.id, due.subscription_id, due.key, due.lease, now(), answer.status, answer.error,
            answer.duration_ms, retry,
        )  # fmt: skip
        try:
            async with self._database.pool.acquire() as conn:
                await DeliveryStore(conn).record(outcome)
        except Exception as e:  # the subscription was deleted meanwhile, or the database is
            # away: unrecorded, the delivery is made again when its lease runs out
            log.warning("delivery_unrecorded", delivery=due.id, error=type(e).__name__)


async def upkeep(database: Database[Store], _: Directory, __: ServiceSettings) -> None:
    """Subscriptions failing too long marked so; the log and the history kept their time."""
    settings = config()
    async with database.transaction() as unit:
        store = DeliveryStore(unit.store.conn)
        failing = await store.mark_failing(timedelta(minutes=settings.failing_after_minutes))
        deleted = await store.sweep(
            timedelta(days=settings.log_kept_days), timedelta(days=settings.history_kept_days)
        )
    for subscription_id, reason in failing:
        log.warning("subscription_failing", subscription=str(subscription_id), reason=reason)
    if any(deleted):
        log.info("deliveries_swept", deliveries=deleted[0], events=deleted[1])
