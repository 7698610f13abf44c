"""The consumer's adapter to FastStream and aiokafka: records come in batches (one poll);
the whole batch is applied in one transaction, inbox rows included, and its offsets
committed once, after that transaction. When that fails, the batch is applied record by
record, so that one bad event costs only itself (the retry policy says what a failure
leads to). A record is never skipped: it is applied, dead-lettered, or read again.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.subscriber.usecase import BatchSubscriber
from faststream.message import StreamMessage

from contracts import Envelope, EnvelopeError, Event, decode
from contracts.topics import PRODUCERS, source_of
from services.shared.consumer import dead_letters
from services.shared.consumer.applier import Applier, Handlers
from services.shared.consumer.dead_letters import where
from services.shared.consumer.retry import Position, ReadAgain, RetryPolicy
from services.shared.failpoints import failpoint
from services.shared.failures import classify
from services.shared.logging import get_logger
from services.shared.metrics import RETRIES
from services.shared.unit_of_work import Database

log = get_logger(__name__)
Batch = tuple[ConsumerRecord[bytes, bytes], ...]


async def _no_decode(_: StreamMessage[Any]) -> None:
    # The body is parsed by contracts.decode, so that a malformed record reaches our
    # handler (and the dead-letter topic) instead of failing inside the framework.
    return None


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


def _read(record: ConsumerRecord[bytes, bytes]) -> Envelope[Event]:
    """The record's event, if it is one and comes from the service its topic belongs to: a
    record claiming another source (a forged Completed, say) is refused like a bad one."""
    envelope = decode(record.headers, record.value or b"")
    expected = source_of(record.topic) if record.topic in PRODUCERS else None
    if expected is not None and envelope.source != expected:
        raise EnvelopeError(
            f"ce_source {envelope.source!r} is not {expected!r}, the producer of {record.topic}"
        )
    return envelope


def _at(record: ConsumerRecord[bytes, bytes]) -> Position:
    return (record.topic, record.partition, record.offset)


class EventConsumer:
    """One consumer group of one service, over one or more topics: applies each event once
    through the service's handler map (see applier), retries by the policy (see retry)."""

    def __init__(
        self,
        group: str,
        database: Database[Any],
        broker: KafkaBroker,
        handlers: Handlers,
        *,
        max_attempts: int = 6,
        handler_timeout: float = 60.0,
        batch_size: int = 500,
    ) -> None:
        self.group = group
        self.applier = Applier(group, database, handlers)
        self._database = database
        self._broker = broker
        self._handler_timeout = handler_timeout
        self._batch_size = batch_size
        self._retry = RetryPolicy(max_attempts, self._database_answers)
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

    async def apply(self, envelope: Envelope[Event]) -> bool:
        """Apply an event once; returns False when it was a duplicate or of no interest."""
        return await self.applier.apply(envelope)

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
        positions = [_at(r) for r in batch]
        if not self._retry.failed_before(positions) and await self._apply_batch(batch):
            done = len(batch)
        else:
            done, again = await self._one_by_one(batch)
            if again is not None:
                await self._read_again_from(consumer, batch, done, again)
                return
        self._retry.forget(positions)
        failpoint("consumer.after_commit")
        await msg.ack()  # commits every partition up to the end of this batch

    async def _apply_batch(self, batch: Batch) -> bool:
        """The fast path: every event of the batch in one transaction, the records nobody
        can read dead-lettered after it. False when anything failed: nothing was applied."""
        readable: list[Envelope[Event]] = []
        unreadable: list[tuple[ConsumerRecord[bytes, bytes], EnvelopeError]] = []
        for record in batch:
            try:
                readable.append(_read(record))
            except EnvelopeError as e:
                unreadable.append((record, e))
        try:
            async with asyncio.timeout(self._handler_timeout):
                await self.applier.apply_all(readable)
            for record, error in unreadable:
                await dead_letters.send(
                    self._broker, self.group, record, reason=str(error), error=error, attempts=1
                )
        except Exception as e:
            log.info("batch_retried_one_by_one", consumer=self.group, error=repr(e))
            return False
        return True

    async def _one_by_one(self, batch: Batch) -> tuple[int, ReadAgain | None]:
        """The slow path: each record in its own transaction. Returns how many records are
        done, and why the next must be read again (None when all are done). A time budget
        keeps the whole poll far below max.poll.interval.ms."""
        began = time.monotonic()
        for done, record in enumerate(batch):
            if time.monotonic() - began > self._handler_timeout:
                return done, ReadAgain("time budget", 0.0, TimeoutError("batch time budget"))
            try:
                await self._apply_or_dead_letter(record)
            except ReadAgain as again:
                return done, again
        return len(batch), None

    async def _read_again_from(
        self, consumer: AIOKafkaConsumer, batch: Batch, done: int, again: ReadAgain
    ) -> None:
        """Commit what is done; rewind every partition of the batch to its first record not
        done, so none is committed past a record that was not applied."""
        record = batch[done]
        RETRIES.labels(self.group, again.failure).inc()
        log.warning(
            "record_retry",
            **where(record),
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

    async def _apply_or_dead_letter(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Apply the record's event once, or send the record to the dead-letter topic;
        raises ReadAgain when the record should be read again."""
        try:
            envelope = _read(record)
        except EnvelopeError as e:
            await self._dead_letter(record, reason=str(e), error=e, attempts=1)
            return
        with structlog.contextvars.bound_contextvars(
            event_id=str(envelope.id), type=envelope.type, consumer=self.group, **where(record)
        ):
            try:
                async with asyncio.timeout(self._handler_timeout):
                    await self.applier.apply(envelope)
            except Exception as e:
                attempts = await self._retry.after(_at(record), e)
                log.exception("event_failed", failure=classify(e).value, attempts=attempts)
                await self._dead_letter(record, reason=repr(e), error=e, attempts=attempts)

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], *, reason: str, error: Exception, attempts: int
    ) -> None:
        try:
            await dead_letters.send(
                self._broker, self.group, record, reason=reason, error=error, attempts=attempts
            )
        except Exception as e:
            # The dead-letter topic is out of reach (the broker is down): read the record
            # again rather than commit past it.
            raise self._retry.wait_out(_at(record), e) from e

    async def _database_answers(self) -> bool:
        try:
            async with self._database.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1", timeout=2)
        except Exception:
            return False
        return True
