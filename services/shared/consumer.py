"""Kafka consumers: each event's effect and its inbox row in one transaction, the offset
committed only after that transaction, and records nobody can use sent to `<topic>.dlt`."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
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
from services.shared.logging import get_logger

log = get_logger(__name__)

Handler = Callable[[Connection, Any], Awaitable[None]]
"""Applies one event inside the given transaction. Raises Unprocessable for an event it
can never apply; any other exception is retried."""

TRANSIENT = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, TimeoutError)


class Unprocessable(Exception):
    """A valid event that this consumer can never apply: it goes to the dead-letter topic."""


async def _no_decode(_: StreamMessage[Any]) -> None:
    # The body is parsed by contracts.decode, so that a malformed record reaches our
    # handler (and the dead-letter topic) instead of failing inside the framework.
    return None


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
    ) -> None:
        self.group = group
        self._pool = pool
        self._broker = broker
        self._handlers = dict(handlers)
        self._max_attempts = max_attempts
        self._attempts: dict[tuple[str, int, int], int] = {}

    def subscribe(self, *topics: str) -> None:
        subscriber = self._broker.subscriber(
            *topics,
            group_id=self.group,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            decoder=_no_decode,
        )
        subscriber(self._on_record)

    async def _on_record(self, msg: KafkaMessage) -> None:
        record: ConsumerRecord[bytes, bytes] = msg.raw_message
        try:
            envelope = decode(record.headers, record.value or b"")
        except EnvelopeError as e:
            await self._dead_letter(record, reason=str(e), error=e, attempts=1)
            await msg.ack()
            return
        with structlog.contextvars.bound_contextvars(
            event_id=str(envelope.id),
            type=envelope.type,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            consumer=self.group,
        ):
            await self._apply_or_dead_letter(msg, record, envelope)

    async def _apply_or_dead_letter(
        self, msg: KafkaMessage, record: ConsumerRecord[bytes, bytes], envelope: Envelope[Event]
    ) -> None:
        position = (record.topic, record.partition, record.offset)
        try:
            await self.apply(envelope)
        except Unprocessable as e:
            await self._dead_letter(record, reason=str(e), error=e, attempts=1)
        except Exception as e:
            attempts = self._attempts.get(position, 0) + 1
            if attempts < self._max_attempts and isinstance(e, TRANSIENT):
                self._attempts[position] = attempts
                delay = min(0.2 * 2**attempts, 10.0)
                log.warning("event_retry", attempts=attempts, retry_in_s=delay, error=repr(e))
                await asyncio.sleep(delay)
                await msg.nack()
                return
            log.exception("event_failed")
            await self._dead_letter(record, reason=repr(e), error=e, attempts=attempts)
        self._attempts.pop(position, None)
        await msg.ack()

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
        return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], *, reason: str, error: Exception, attempts: int
    ) -> None:
        headers = {k: v.decode(errors="replace") for k, v in record.headers}
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
        log.warning(
            "event_dead_lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
        )
