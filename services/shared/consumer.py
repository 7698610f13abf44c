"""Kafka consumers: each event's effect and its inbox row in one transaction, the offset
committed only after that transaction, and records nobody can use sent to `<topic>.dlt`.

A record is never skipped: it is applied, dead-lettered, or read again.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog
from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from contracts import Envelope, EnvelopeError, Event, decode
from contracts.topics import dead_letter
from services.shared import inbox
from services.shared.db import Connection
from services.shared.failures import Failure, classify
from services.shared.logging import get_logger

log = get_logger(__name__)

Handler = Callable[[Connection, Any], Awaitable[None]]
"""Applies one event inside the given transaction."""

Position = tuple[str, int, int]
Journal = Callable[[Connection, Sequence[Envelope[Event]]], Awaitable[None]]
"""Keeps each applied event, in the same transaction as its effect."""


async def _no_decode(_: StreamMessage[Any]) -> None:
    # The body is parsed by contracts.decode, so that a malformed record reaches our
    # handler (and the dead-letter topic) instead of failing inside the framework.
    return None


async def _readable_headers(
    record: ConsumerRecord[bytes, bytes],
    original: Callable[[ConsumerRecord[bytes, bytes]], Awaitable[StreamMessage[Any]]],
) -> StreamMessage[Any]:
    # FastStream decodes every header as UTF-8 before any handler runs; a null or non-UTF-8
    # header would make it drop the record unseen. Cleaned, the record reaches decode(),
    # which refuses it, and so the dead-letter topic.
    record.headers = tuple(
        (name, (value or b"").decode(errors="replace").encode()) for name, value in record.headers
    )
    return await original(record)


def _where(record: ConsumerRecord[bytes, bytes]) -> dict[str, object]:
    return {"topic": record.topic, "partition": record.partition, "offset": record.offset}


class EventConsumer:
    """One consumer group of one service, over one or more topics."""

    def __init__(
        self,
        group: str,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        handlers: Mapping[type[Event], Handler],
        *,
        max_attempts: int = 6,
        journal: Journal | None = None,
    ) -> None:
        self.group = group
        self._pool = pool
        self._broker = broker
        self._handlers = dict(handlers)
        self._max_attempts = max_attempts
        self._attempts: dict[Position, int] = {}
        self._journal = journal

    def subscribe(self, *topics: str) -> None:
        subscriber = self._broker.subscriber(
            *topics,
            group_id=self.group,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            parser=_readable_headers,
            decoder=_no_decode,
        )
        subscriber(self._on_record)

    async def _on_record(self, msg: KafkaMessage) -> None:
        record: ConsumerRecord[bytes, bytes] = msg.raw_message
        position = (record.topic, record.partition, record.offset)
        try:
            await self._apply_or_dead_letter(record, position)
        except Exception as e:
            # Never skip a record: whatever went wrong, it is read again after a pause.
            attempt = self._attempts[position] = self._attempts.get(position, 0) + 1
            delay = min(0.2 * 2**attempt, 10.0)
            log.warning(
                "record_retry", **_where(record), attempt=attempt, retry_in_s=delay, error=repr(e)
            )
            await asyncio.sleep(delay)
            await msg.nack()
            return
        self._attempts.pop(position, None)
        await msg.ack()

    async def _apply_or_dead_letter(
        self, record: ConsumerRecord[bytes, bytes], at: Position
    ) -> None:
        """Apply the record's event once, or send the record to the dead-letter topic;
        raises when the record should be read again."""
        try:
            envelope = decode(record.headers, record.value or b"")
        except EnvelopeError as e:
            await self._dead_letter(record, reason=str(e), error=e, attempts=1)
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
                await self.apply(envelope)
            except Exception as e:
                attempts = self._attempts.get(at, 0) + 1
                failure = classify(e)
                if failure is Failure.OUTAGE or (
                    failure is Failure.CONTENTION and attempts < self._max_attempts
                ):
                    raise
                log.exception("event_failed", failure=failure.value, attempts=attempts)
                await self._dead_letter(record, reason=repr(e), error=e, attempts=attempts)

    async def apply(self, envelope: Envelope[Event]) -> bool:
        """Apply an event once; returns False when it was a duplicate or of no interest."""
        handler = self._handlers.get(type(envelope.data))
        if handler is None:
            return False
        async with self._pool.acquire() as conn, conn.transaction():
            if not await inbox.claim(conn, self.group, envelope.id):
                log.info("event_duplicate")
                return False
            await handler(conn, envelope.data)
            if self._journal is not None:
                await self._journal(conn, [envelope])
        return True

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
        log.warning("event_dead_lettered", **_where(record), reason=reason)
