"""Kafka consumers: each event's effect and its inbox row in one transaction, the offset
committed only after that transaction, and records nobody can use sent to `<topic>.dlt`.

Records come in batches (one poll): the whole batch is applied in one transaction, inbox
rows included, and its offsets committed once. When that fails, the batch is applied record
by record, so that one bad event costs only itself. A record is never skipped: it is
applied, dead-lettered, or read again.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.subscriber.usecase import BatchSubscriber
from faststream.message import StreamMessage

from contracts import Envelope, EnvelopeError, Event, decode
from contracts.topics import dead_letter
from services.shared import inbox
from services.shared.db import Connection
from services.shared.failpoints import failpoint
from services.shared.failures import Failure, classify
from services.shared.logging import get_logger
from services.shared.metrics import EVENTS, RETRIES

log = get_logger(__name__)

Handler = Callable[[Connection, Any], Awaitable[None]]
"""Applies one event inside the given transaction."""
BatchHandler = Callable[[Connection, Sequence[Any]], Awaitable[None]]
"""Applies several events, in order, inside the given transaction: what a Handler does to
each, with fewer round trips."""

Position = tuple[str, int, int]
Journal = Callable[[Connection, Sequence[Envelope[Event]]], Awaitable[None]]
"""Keeps each applied event, in the same transaction as its effect."""


async def _no_decode(_: StreamMessage[Any]) -> None:
    # The body is parsed by contracts.decode, so that a malformed record reaches our
    # handler (and the dead-letter topic) instead of failing inside the framework.
    return None


Batch = tuple[ConsumerRecord[bytes, bytes], ...]


async def _readable_headers(
    batch: Batch, original: Callable[[Batch], Awaitable[StreamMessage[Any]]]
) -> StreamMessage[Any]:
    # FastStream decodes every header as UTF-8 before any handler runs; a null or non-UTF-8
    # header would make it drop the batch unseen. Cleaned, the record reaches decode(),
    # which refuses it, and so the dead-letter topic.
    for record in batch:
        record.headers = tuple(
            (name, (value or b"").decode(errors="replace").encode())
            for name, value in record.headers
        )
    return await original(batch)


def _where(record: ConsumerRecord[bytes, bytes]) -> dict[str, object]:
    return {"topic": record.topic, "partition": record.partition, "offset": record.offset}


class _ReadAgain(Exception):
    """The record is read again after `delay` seconds."""

    def __init__(self, failure: str, delay: float, error: BaseException) -> None:
        super().__init__(failure)
        self.failure, self.delay, self.error = failure, delay, error


class EventConsumer:
    """One consumer group of one service, over one or more topics.

    What happens when applying an event fails (see services.shared.failures):
    - the database or broker is down (an outage): the record is read again with capped
      backoff for as long as the outage lasts; the retry budget is not spent, because the
      event is not at fault and dead-lettering every live event would be worse;
    - a failure that might pass (a deadlock, a timeout or a dropped connection while the
      database answers): read again with backoff, at most `max_attempts` times, then
      dead-lettered, so a poison event blocks its partition no longer than that budget;
    - anything else (invalid data, a broken rule): dead-lettered at once.
    """

    def __init__(
        self,
        group: str,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        handlers: Mapping[type[Event], Handler],
        *,
        max_attempts: int = 6,
        handler_timeout: float = 60.0,
        batch_size: int = 500,
        journal: Journal | None = None,
        together: Mapping[type[Event], BatchHandler] | None = None,
    ) -> None:
        self.group = group
        self._pool = pool
        self._broker = broker
        self._handlers = dict(handlers)
        self._max_attempts = max_attempts
        self._handler_timeout = handler_timeout
        self._batch_size = batch_size
        self._attempts: dict[Position, int] = {}
        self._outage_waits: dict[Position, int] = {}
        self._journal = journal
        self._together = dict(together or {})
        self._subscriber: BatchSubscriber | None = None

    def subscribe(self, *topics: str) -> None:
        self._subscriber = self._broker.subscriber(
            *topics,
            group_id=self.group,
            batch=True,
            max_records=self._batch_size,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            # Handling one poll is bounded (handler timeout, a time budget for the record
            # by record path, capped backoff), far below this: a slow batch never makes the
            # consumer leave its group and have its records handed out again and again.
            max_poll_interval_ms=300_000,
            parser=_readable_headers,
            decoder=_no_decode,
        )
        self._subscriber(self._on_batch)

    async def stop(self) -> None:
        """Stop fetching; a batch in flight finishes within the broker's graceful timeout,
        or is abandoned with its offsets uncommitted (it is read again after a restart)."""
        if self._subscriber is not None:
            await self._subscriber.stop()

    def assigned(self) -> bool:
        consumer = self._subscriber.consumer if self._subscriber else None
        return bool(consumer is not None and consumer.assignment())

    async def lag(self) -> dict[tuple[str, int], int]:
        """Per assigned partition: records after the committed offset."""
        consumer = self._subscriber.consumer if self._subscriber else None
        if consumer is None:
            return {}
        assigned = list(consumer.assignment())
        ends = await consumer.end_offsets(assigned) if assigned else {}
        lags: dict[tuple[str, int], int] = {}
        for tp, end in ends.items():
            committed = await consumer.committed(tp)
            lags[(tp.topic, tp.partition)] = max(end - (committed or 0), 0)
        return lags

    async def _on_batch(self, msg: KafkaMessage) -> None:
        batch: Batch = msg.raw_message
        consumer: AIOKafkaConsumer = msg.consumer
        if not self._failed_before(batch) and await self._apply_batch(batch):
            done = len(batch)
        else:
            done, again = await self._one_by_one(batch)
            if again is not None:
                await self._read_again_from(consumer, batch, done, again)
                return
        for record in batch:
            at = (record.topic, record.partition, record.offset)
            self._attempts.pop(at, None)
            self._outage_waits.pop(at, None)
        failpoint("consumer.after_commit")
        await msg.ack()  # commits every partition up to the end of this batch

    def _failed_before(self, batch: Batch) -> bool:
        """A batch read again after a failure goes record by record straight away."""
        return any(
            (r.topic, r.partition, r.offset) in self._attempts
            or (r.topic, r.partition, r.offset) in self._outage_waits
            for r in batch
        )

    async def _apply_batch(self, batch: Batch) -> bool:
        """The fast path: every event of the batch in one transaction, the records nobody
        can read dead-lettered after it. False when anything failed: nothing was applied."""
        readable: list[Envelope[Event]] = []
        unreadable: list[tuple[ConsumerRecord[bytes, bytes], EnvelopeError]] = []
        for record in batch:
            try:
                readable.append(decode(record.headers, record.value or b""))
            except EnvelopeError as e:
                unreadable.append((record, e))
        try:
            async with asyncio.timeout(self._handler_timeout):
                await self.apply_all(readable)
            for record, error in unreadable:
                await self._dead_letter(record, reason=str(error), error=error, attempts=1)
        except Exception as e:
            log.info("batch_retried_one_by_one", consumer=self.group, error=repr(e))
            return False
        return True

    async def _one_by_one(self, batch: Batch) -> tuple[int, _ReadAgain | None]:
        """The slow path: each record in its own transaction. Returns how many records are
        done, and why the next must be read again (None when all are done). A time budget
        keeps the whole poll far below max.poll.interval.ms."""
        began = time.monotonic()
        for done, record in enumerate(batch):
            if time.monotonic() - began > self._handler_timeout:
                return done, _ReadAgain("time budget", 0.0, TimeoutError("batch time budget"))
            try:
                await self._apply_or_dead_letter(
                    record, (record.topic, record.partition, record.offset)
                )
            except _ReadAgain as again:
                return done, again
        return len(batch), None

    async def _read_again_from(
        self, consumer: AIOKafkaConsumer, batch: Batch, done: int, again: _ReadAgain
    ) -> None:
        """Commit what is done; rewind every partition of the batch to its first record not
        done, so none is committed past a record that was not applied."""
        record = batch[done]
        RETRIES.labels(self.group, again.failure).inc()
        log.warning(
            "record_retry",
            **_where(record),
            failure=again.failure,
            retry_in_s=again.delay,
            error=repr(again.error),
        )
        applied: dict[TopicPartition, int] = {}
        first_not_done: dict[TopicPartition, int] = {}
        for n, r in enumerate(batch):
            tp = TopicPartition(r.topic, r.partition)
            if n < done:
                applied[tp] = r.offset + 1
            else:
                first_not_done.setdefault(tp, r.offset)
        if applied:
            failpoint("consumer.after_commit")
            await consumer.commit(applied)
        for tp, offset in first_not_done.items():
            consumer.seek(tp, offset)
        # The pause keeps a failing record from a hot loop of immediate re-reads.
        await asyncio.sleep(again.delay)

    async def _apply_or_dead_letter(
        self, record: ConsumerRecord[bytes, bytes], at: Position
    ) -> None:
        """Apply the record's event once, or send the record to the dead-letter topic;
        raises _ReadAgain when the record should be read again."""
        try:
            envelope = decode(record.headers, record.value or b"")
        except EnvelopeError as e:
            await self._dead_letter_or_wait(record, at, reason=str(e), error=e, attempts=1)
            return
        with structlog.contextvars.bound_contextvars(
            event_id=str(envelope.id),
            type=envelope.type,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            consumer=self.group,
        ):
            try:
                async with asyncio.timeout(self._handler_timeout):
                    await self.apply(envelope)
            except Exception as e:
                failure = classify(e)
                if failure is Failure.OUTAGE and not await self._database_answers():
                    raise self._wait_out(at, e) from e
                attempts = self._attempts[at] = self._attempts.get(at, 0) + 1
                if failure is not Failure.PERMANENT and attempts < self._max_attempts:
                    kind = "contention" if failure is Failure.CONTENTION else "transient"
                    raise _ReadAgain(kind, min(0.2 * 2**attempts, 10.0), e) from e
                log.exception("event_failed", failure=failure.value, attempts=attempts)
                await self._dead_letter_or_wait(
                    record, at, reason=repr(e), error=e, attempts=attempts
                )

    def _wait_out(self, at: Position, error: BaseException) -> _ReadAgain:
        waits = self._outage_waits[at] = self._outage_waits.get(at, 0) + 1
        return _ReadAgain("outage", min(0.2 * 2**waits, 5.0), error)

    async def _database_answers(self) -> bool:
        try:
            async with self._pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1", timeout=2)
        except Exception:
            return False
        return True

    async def apply_all(self, envelopes: Sequence[Envelope[Event]]) -> int:
        """Apply events in one transaction, each once, in order; returns how many were
        applied (not duplicates, not of interest)."""
        wanted: dict[UUID, Envelope[Event]] = {}
        for envelope in envelopes:
            if type(envelope.data) in self._handlers:
                wanted.setdefault(envelope.id, envelope)
        if len(envelopes) > len(wanted):
            EVENTS.labels(self.group, "ignored").inc(len(envelopes) - len(wanted))
        if not wanted:
            return 0
        async with self._pool.acquire(timeout=10) as conn, conn.transaction():
            fresh = await inbox.claim_many(conn, self.group, list(wanted))
            applied = [e for e in wanted.values() if e.id in fresh]
            await self._handle_in_order(conn, [e.data for e in applied])
            if self._journal is not None and applied:
                await self._journal(conn, applied)
        EVENTS.labels(self.group, "applied").inc(len(applied))
        EVENTS.labels(self.group, "duplicate").inc(len(wanted) - len(applied))
        return len(applied)

    async def _handle_in_order(self, conn: Connection, events: Sequence[Event]) -> None:
        """Each event by its handler, in order; a run of events that share a batch handler
        goes to it at once."""
        run: list[Event] = []
        for event in [*events, None]:
            together = self._together.get(type(event)) if event is not None else None
            if run and (together is None or together is not self._together[type(run[0])]):
                await self._together[type(run[0])](conn, run)
                run = []
            if event is None:
                break
            if together is not None:
                run.append(event)
            else:
                await self._handlers[type(event)](conn, event)

    async def apply(self, envelope: Envelope[Event]) -> bool:
        """Apply an event once; returns False when it was a duplicate or of no interest."""
        return await self.apply_all([envelope]) == 1

    async def _dead_letter_or_wait(
        self,
        record: ConsumerRecord[bytes, bytes],
        at: Position,
        *,
        reason: str,
        error: Exception,
        attempts: int,
    ) -> None:
        try:
            await self._dead_letter(record, reason=reason, error=error, attempts=attempts)
        except Exception as e:
            # The dead-letter topic is out of reach (the broker is down): read the record
            # again rather than commit past it.
            raise self._wait_out(at, e) from e

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], *, reason: str, error: Exception, attempts: int
    ) -> None:
        headers = {k: (v or b"").decode(errors="replace") for k, v in record.headers}
        headers.update(
            {
                "dlt_reason": reason[:1000],
                "dlt_exception": type(error).__name__,
                "dlt_attempts": str(attempts),
                "dlt_consumer": self.group,
                "dlt_original_topic": record.topic,
                "dlt_original_partition": str(record.partition),
                "dlt_original_offset": str(record.offset),
                "dlt_time": datetime.now(UTC).isoformat(),
            }
        )
        await self._broker.publish(
            record.value or b"", dead_letter(record.topic), key=record.key, headers=headers
        )
        EVENTS.labels(self.group, "dead_lettered").inc()
        log.warning("event_dead_lettered", **_where(record), reason=reason)
