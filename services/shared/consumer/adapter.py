"""The consumer's adapter to FastStream and aiokafka: records come in batches (one poll);
the whole batch is applied in one transaction, inbox rows (or journal rows) and the stored
offsets of its partitions included (offsets.py). When that fails, the batch is applied
record by record, so that one bad event costs only itself (the retry policy says what a
failure leads to). A record is never skipped: it is applied, dead-lettered, or read again.
Kafka's committed offsets follow the stored ones in the background, for monitoring.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.subscriber.usecase import BatchSubscriber
from faststream.message import StreamMessage
from opentelemetry.trace import INVALID_SPAN, Span

from contracts import Envelope, EnvelopeError, Event, decode
from contracts.topics import PRODUCERS, source_of
from services.shared import telemetry
from services.shared.consumer import dead_letters
from services.shared.consumer.applier import Applier, Handlers
from services.shared.consumer.dead_letters import where
from services.shared.consumer.offsets import Move, Overtaken, Positions, seek
from services.shared.consumer.retry import Position, ReadAgain, RetryPolicy
from services.shared.failpoints import failpoint
from services.shared.failures import classify
from services.shared.logging import EventIds, get_logger
from services.shared.metrics import RETRIES
from services.shared.unit_of_work import Database

log = get_logger(__name__)
Batch = tuple[ConsumerRecord[bytes, bytes], ...]
BATCH_RECORDS = 500
"""Records a poll hands the consumer at most: one transaction's worth."""
PARTITION_FETCH_BYTES = 1 << 20
"""Bytes a fetch takes from one partition at most (aiokafka's default)."""
BATCH_WAIT_MS = 10
"""How long a poll waits for records (it returns as soon as some come). FastStream sleeps
as long again after a poll that found none (against a busy loop while no partition is
assigned): with its default of 200 ms, an event reaching a quiet consumer during that sleep
waited up to 200 ms before it was read."""


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


@contextmanager
def handling(consumer: str, envelopes: Sequence[Envelope[Event]]) -> Iterator[Span]:
    """While events are handled: their span (telemetry.applying), current, so their queries
    are within it and every log line carries its trace; and on every log line the event's
    id (`event_id`), or a batch's (`event_ids`)."""
    if not envelopes:
        yield INVALID_SPAN
        return
    ids = (
        {"event_id": str(envelopes[0].id)}
        if len(envelopes) == 1
        else {"event_ids": EventIds(envelopes)}
    )
    with (
        structlog.contextvars.bound_contextvars(**ids),
        telemetry.applying(consumer, envelopes) as span,
    ):
        yield span


def _event_id(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The record's event id as its header says (before it is read, or when it cannot be)."""
    value = next((v for name, v in record.headers if name == "ce_id"), None)
    return value.decode(errors="replace") if value else None


def _at(record: ConsumerRecord[bytes, bytes]) -> Position:
    return (record.topic, record.partition, record.offset)


def _partitions(records: Batch) -> list[TopicPartition]:
    return list(dict.fromkeys(TopicPartition(r.topic, r.partition) for r in records))


def _firsts(records: Batch) -> dict[TopicPartition, int]:
    """Each partition's first offset among the records."""
    firsts: dict[TopicPartition, int] = {}
    for r in records:
        firsts.setdefault(TopicPartition(r.topic, r.partition), r.offset)
    return firsts


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
        batch_size: int = BATCH_RECORDS,
    ) -> None:
        self.group = group
        self.applier = Applier(group, database, handlers)
        self._database = database
        self._broker = broker
        self._handler_timeout = handler_timeout
        self._batch_size = batch_size
        self._retry = RetryPolicy(max_attempts, self._database_answers)
        self._subscriber: BatchSubscriber | None = None
        self._positions = Positions(group, database.pool)
        self._following: asyncio.Task[None] | None = None
        self._to_follow: dict[TopicPartition, int] = {}

    def subscribe(self, *topics: str) -> None:
        self._subscriber = self._broker.subscriber(
            *topics,
            group_id=self.group,
            batch=True,
            max_records=self._batch_size,
            max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
            batch_timeout_ms=BATCH_WAIT_MS,
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
        if self._following is not None:
            await asyncio.wait([self._following], timeout=5)

    def assigned(self) -> int:
        """Partitions this instance holds in its group."""
        consumer = self._subscriber.consumer if self._subscriber else None
        return len(consumer.assignment()) if consumer is not None else 0

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
        consumer: AIOKafkaConsumer = msg.consumer
        try:
            await self._handle(msg.raw_message, consumer)
        except Exception as e:
            # Kafka's position is past the batch already: read it all again, or what it
            # held past the stored offsets would be passed over (stored offsets drop what
            # is done when it comes again).
            log.warning("batch_read_again", consumer=self.group, error=repr(e))
            seek(consumer, _firsts(msg.raw_message))
            await asyncio.sleep(1.0)

    async def _handle(self, raw: Batch, consumer: AIOKafkaConsumer) -> None:
        batch = await self._positions.fresh(raw, consumer)
        positions = [_at(r) for r in batch]
        try:
            if self._retry.failed_before(positions) or not await self._apply_batch(batch):
                done, again = await self._one_by_one(batch)
                if again is not None:
                    await self._read_again_from(consumer, batch, done, again)
                    return
        except Overtaken as e:
            # Another consumer moved these partitions' offsets (a rebalance), or the database
            # was rebuilt under this one: nothing here was stored. Read the batch again: its
            # partitions are then seen afresh, and sought to what is stored (which may be
            # before some of these records: they would be lost if read past now).
            log.info("consumer_overtaken", consumer=self.group, error=str(e))
            self._positions.forget(_partitions(batch))
            seek(consumer, _firsts(batch))
            return
        self._retry.forget(positions)
        failpoint("consumer.after_commit")
        self._follow(consumer, _partitions(raw))

    def _follow(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        """Kafka's committed offsets follow the stored ones, one commit at a time, in the
        background (for monitoring, lag and tools; they decide nothing)."""
        self._to_follow.update(self._positions.committed(partitions))
        if self._to_follow and (self._following is None or self._following.done()):
            self._following = asyncio.create_task(self._commit_followed(consumer))

    async def _commit_followed(self, consumer: AIOKafkaConsumer) -> None:
        while self._to_follow:
            offsets, self._to_follow = self._to_follow, {}
            try:
                await consumer.commit(offsets)
            except Exception as e:  # a partition no longer assigned: its new owner commits
                log.debug("kafka_commit_skipped", consumer=self.group, error=repr(e))

    async def _apply_batch(self, batch: Batch) -> bool:
        """The fast path: every event of the batch in one transaction, with its offsets,
        after the records nobody can read are dead-lettered (the stored offsets move past
        them). False when anything failed: nothing was applied."""
        readable: list[Envelope[Event]] = []
        unreadable: list[tuple[ConsumerRecord[bytes, bytes], EnvelopeError]] = []
        for record in batch:
            try:
                readable.append(_read(record))
            except EnvelopeError as e:
                unreadable.append((record, e))
        moves = self._positions.moves(batch)
        with handling(self.group, readable) as span:
            try:
                for record, error in unreadable:
                    await dead_letters.send(
                        self._broker, self.group, record, reason=str(error), error=error, attempts=1
                    )
                async with asyncio.timeout(self._handler_timeout):
                    await self.applier.apply_all(readable, moves)
            except Overtaken:
                raise
            except Exception as e:
                telemetry.failed(span, e)
                log.info("batch_retried_one_by_one", consumer=self.group, error=repr(e))
                return False
        self._positions.moved(moves)
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
        """Rewind every partition of the batch to its first record not done (those done
        are stored as done), so that none is passed over."""
        record = batch[done]
        RETRIES.labels(self.group, again.failure).inc()
        log.warning(
            "record_retry",
            **where(record),
            event_id=_event_id(record),
            failure=again.failure,
            retry_in_s=again.delay,
            error=repr(again.error),
        )
        if done:
            failpoint("consumer.after_commit")
            self._follow(consumer, _partitions(batch[:done]))
        seek(consumer, _firsts(batch[done:]))
        # The pause keeps a failing record from a hot loop of immediate re-reads.
        await asyncio.sleep(again.delay)

    async def _apply_or_dead_letter(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Apply the record's event once, or send the record to the dead-letter topic; its
        offset is stored either way. Raises ReadAgain when the record should be read again."""
        moves = self._positions.moves([record])
        try:
            envelope = _read(record)
        except EnvelopeError as e:
            await self._dead_letter(record, reason=str(e), error=e, attempts=1)
            await self._passed(record, moves)
            return
        with (
            structlog.contextvars.bound_contextvars(
                type=envelope.type, consumer=self.group, **where(record)
            ),
            handling(self.group, [envelope]) as span,
        ):
            try:
                async with asyncio.timeout(self._handler_timeout):
                    await self.applier.apply_all([envelope], moves)
            except Overtaken:
                raise
            except Exception as e:
                telemetry.failed(span, e)
                attempts = await self._retry.after(_at(record), e)
                log.exception("event_failed", failure=classify(e).value, attempts=attempts)
                await self._dead_letter(record, reason=repr(e), error=e, attempts=attempts)
                await self._passed(record, moves)
                return
        self._positions.moved(moves)

    async def _passed(self, record: ConsumerRecord[bytes, bytes], moves: list[Move]) -> None:
        """A dead-lettered record's offset stored; read again (and dead-lettered again)
        when the database is out of reach."""
        try:
            await self.applier.apply_all([], moves)
        except Overtaken:
            raise
        except Exception as e:
            raise self._retry.wait_out(_at(record), e) from e
        self._positions.moved(moves)

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
