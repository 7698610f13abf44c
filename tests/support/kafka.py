"""Reading and writing raw records in tests."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import Envelope, Event
from services.shared.kafka_access import KafkaCredentials, kafka_options, servers

T = TypeVar("T")


Headers = Mapping[str, str] | Sequence[tuple[str, bytes | None]]
"""Text headers, or raw ones (to send what a well-behaved producer would not)."""


async def produce(
    bootstrap: str,
    topic: str,
    records: Sequence[tuple[bytes | None, bytes, Headers]],
    as_principal: KafkaCredentials | None = None,
) -> None:
    """Send (key, value, headers) records in order and wait for all of them, signed in as
    the principal given (by default the test process's, the operator)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=servers(bootstrap), enable_idempotence=True, **kafka_options(as_principal)
    )
    await producer.start()
    try:
        for key, value, headers in records:
            raw = (
                [(k, v.encode()) for k, v in headers.items()]
                if isinstance(headers, Mapping)
                else list(headers)
            )
            await producer.send_and_wait(topic, value, key=key, headers=raw)
    finally:
        await producer.stop()


def as_record(envelope: Envelope[Event]) -> tuple[bytes, bytes, dict[str, str]]:
    return envelope.data.key().encode(), envelope.body(), envelope.headers()


async def read_all(bootstrap: str, topic: str, within: float = 20.0) -> list[ConsumerRecord]:
    """Every record in the topic right now, from the beginning to the end offsets."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers(bootstrap),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=f"test-{uuid.uuid4()}",
        **kafka_options(),
    )
    await consumer.start()
    try:
        partitions = await _partitions(bootstrap, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        async with asyncio.timeout(within):
            for tp in partitions:
                while await consumer.position(tp) < ends[tp]:
                    batch = await consumer.getmany(tp, timeout_ms=500)
                    records.extend(batch.get(tp, []))
        return records
    finally:
        await consumer.stop()


async def read_at_least(
    bootstrap: str, topic: str, count: int, within: float = 20.0
) -> list[ConsumerRecord]:
    """Every record in the topic, once it holds `count` or more: for records another process
    sends at a moment the test cannot see (a consumer's dead letters), read again until
    they are there rather than once, perhaps too early."""
    if count < 1:
        raise ValueError("wait for one record or more; to see none, read_all once")

    async def enough() -> list[ConsumerRecord] | None:
        records = await read_all(bootstrap, topic, within)
        return records if len(records) >= count else None

    return await eventually(enough, within)


async def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=servers(bootstrap), **kafka_options())
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(
            await _partitions(bootstrap, topic)
        )
        return ends
    finally:
        await consumer.stop()


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(bootstrap), **kafka_options())
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


async def eventually(probe: Callable[[], Awaitable[T | None]], within: float = 20.0) -> T:
    """Await probe() until it returns something truthy, and return that."""
    async with asyncio.timeout(within):
        while True:
            if result := await probe():
                return result
            await asyncio.sleep(0.1)
