"""Dead letters: list them, and send them back through the consumers after a fix.

Replay republishes each dead letter to the topic it came from, with its key, headers and
body as they were, so it reaches the consumers again (in the same partition, since the key
is the same). It is idempotent twice over: the replay's own consumer group remembers how
far it got in the dead-letter topic, so a second replay sends only what was dead-lettered
since; and a consumer that had applied an event drops it again by its id (the inbox).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from contracts.topics import dead_letter
from services.shared.kafka_access import kafka_options, servers

REPLAY_GROUP = "huisacademie.dlt-replay"
SHOWN = ("dlt_consumer", "dlt_exception", "dlt_attempts", "dlt_time", "ce_type", "ce_id")


class NoSuchTopic(LookupError):
    pass


@dataclass(frozen=True)
class Letter:
    partition: int
    offset: int
    headers: dict[str, str]

    @property
    def original(self) -> str:
        h = self.headers
        return (
            f"{h.get('dlt_original_topic', '?')}[{h.get('dlt_original_partition', '?')}]"
            f"@{h.get('dlt_original_offset', '?')}"
        )

    def describe(self) -> str:
        fields = "  ".join(f"{k.removeprefix('dlt_')}={self.headers[k]}" for k in SHOWN
                           if k in self.headers)  # fmt: skip
        reason = self.headers.get("dlt_reason", "(no reason recorded)")
        return f"#{self.partition}@{self.offset} from {self.original}  {fields}\n    {reason}"


def dead_letter_topic(topic: str) -> str:
    """The dead-letter topic of `topic`; either name is accepted."""
    return topic if topic.endswith(".dlt") else dead_letter(topic)


@asynccontextmanager
async def _reading(
    bootstrap: str, topic: str, group: str | None
) -> AsyncIterator[tuple[AIOKafkaConsumer, dict[TopicPartition, int]]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers(bootstrap),
        **kafka_options(),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise NoSuchTopic(f"no topic {topic!r} on {bootstrap}")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        if group is None:
            await consumer.seek_to_beginning(*assigned)
        yield consumer, await consumer.end_offsets(assigned)
    finally:
        await consumer.stop()


async def _records(
    consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Records up to the end offsets taken at the start: later letters wait for next time."""
    for tp, end in ends.items():
        while await consumer.position(tp) < end:
            batch = await consumer.getmany(tp, timeout_ms=1000)
            for record in batch.get(tp, []):
                if record.offset < end:
                    yield record


def _text(headers: object) -> dict[str, str]:
    return {k: (v or b"").decode(errors="replace") for k, v in headers}  # type: ignore[attr-defined]


async def list_letters(bootstrap: str, topic: str) -> list[Letter]:
    async with _reading(bootstrap, dead_letter_topic(topic), None) as (consumer, ends):
        return [
            Letter(r.partition, r.offset, _text(r.headers)) async for r in _records(consumer, ends)
        ]


async def replay(bootstrap: str, topic: str) -> int:
    """Send the dead letters not replayed before back to their topic; returns how many."""
    dlt = dead_letter_topic(topic)
    producer = AIOKafkaProducer(
        bootstrap_servers=servers(bootstrap), enable_idempotence=True, **kafka_options()
    )
    await producer.start()
    sent = 0
    try:
        async with _reading(bootstrap, dlt, REPLAY_GROUP) as (consumer, ends):
            pending: list[asyncio.Future[object]] = []
            async for record in _records(consumer, ends):
                headers = [(k, v) for k, v in record.headers if not k.startswith("dlt_")]
                # Back to the topic this dead-letter topic belongs to, never to one a header
                # names: whoever may write a dead-letter topic must not reach another topic.
                original = dlt[: -len(".dlt")]
                pending.append(
                    await producer.send(original, record.value, key=record.key, headers=headers)
                )
                if len(pending) >= 500:
                    sent += await _settle(pending, consumer)
            sent += await _settle(pending, consumer)
    finally:
        await producer.stop()
    return sent


async def _settle(pending: list[asyncio.Future[object]], consumer: AIOKafkaConsumer) -> int:
    """Wait until Kafka holds what was sent, then remember how far the replay got."""
    count = len(pending)
    await asyncio.gather(*pending)
    pending.clear()
    if count:
        await consumer.commit()
    return count
