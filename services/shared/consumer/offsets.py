"""Stored offsets: where a consumer is in each partition it reads, kept in its database in
the transaction of the effect (migrations/003_consumer_offsets.sql), as the tracking
records of eventsourcing and Connect's exactly-once sinks keep them.

Every transaction of a consumer first moves its partitions' offsets by compare-and-set,
from the offset it believes stored to the one after its last record. A consumer left over
from a rebalance, or one whose database was rebuilt under it, believes an older offset:
its move fails, its transaction rolls back (`Overtaken`), and it seeks to what is stored.
A partition first seen (assigned, or read again after an overtaking) starts at the stored
offset: records before it are applied already, and are dropped. Kafka's committed offsets
follow, for monitoring; they decide nothing.

Deduplication by event id stays in every consumer (the inbox, or the portfolio's journal):
a dead-letter replay puts a record on its topic again, at a new offset.
"""

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import IllegalStateError

from services.shared.db import Connection

Batch = tuple[ConsumerRecord[bytes, bytes], ...]
NOT_STORED = -1
"""The offset a move starts from when the partition has none stored yet (the first batch
ever, or a group that only had Kafka's committed offsets): its row is made, once."""

_ADVANCE = """
WITH moves AS (
    SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[])
        AS m(topic, part, was, next)
), moved AS (
    UPDATE consumer_offsets o SET next_offset = m.next, updated_at = now()
    FROM moves m
    WHERE o.consumer = $1 AND o.topic = m.topic AND o.partition = m.part
      AND o.next_offset = m.was
    RETURNING 1
), made AS (
    INSERT INTO consumer_offsets (consumer, topic, partition, next_offset)
    SELECT $1, m.topic, m.part, m.next FROM moves m WHERE m.was = -1
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM made)
"""


def seek(consumer: AIOKafkaConsumer, offsets: Mapping[TopicPartition, int]) -> None:
    """Each partition to its offset; one no longer assigned here is its new owner's."""
    for tp, offset in offsets.items():
        with contextlib.suppress(IllegalStateError):
            consumer.seek(tp, offset)


def _columns(partitions: Iterable[TopicPartition]) -> tuple[list[str], list[int]]:
    """Topics and partition numbers, as two arrays for unnest()."""
    listed = list(partitions)
    return [tp.topic for tp in listed], [tp.partition for tp in listed]


class Overtaken(Exception):
    """Another consumer moved a partition's stored offset since this one read it: what this
    one was about to apply is (or will be) applied by the other."""


@dataclass(frozen=True)
class Move:
    """One partition's stored offset, from `was` (NOT_STORED: none yet) to `next`."""

    partition: TopicPartition
    was: int
    next: int


async def advance(conn: Connection, consumer: str, moves: Sequence[Move]) -> None:
    """Move the offsets by compare-and-set, in the caller's transaction; raises Overtaken
    when any stored offset is not the one the move starts from."""
    if not moves:
        return
    ordered = sorted(moves, key=lambda m: (m.partition.topic, m.partition.partition))
    moved = await conn.fetchval(
        _ADVANCE,
        consumer,
        *_columns(m.partition for m in ordered),
        [m.was for m in ordered],
        [m.next for m in ordered],
    )
    if moved != len(ordered):
        raise Overtaken(f"{consumer}: a stored offset moved under it")


async def stored(
    conn: "Connection | asyncpg.Pool", consumer: str, partitions: Sequence[TopicPartition]
) -> dict[TopicPartition, int]:
    """The stored offsets of these partitions (those that have one)."""
    rows = await conn.fetch(
        "SELECT topic, partition, next_offset FROM consumer_offsets"
        " WHERE consumer = $1 AND (topic, partition) IN"
        " (SELECT * FROM unnest($2::text[], $3::int[]))",
        consumer,
        *_columns(partitions),
    )
    return {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def store(conn: Connection, consumer: str, reached: Mapping[TopicPartition, int]) -> None:
    """Set the offsets outright (a rebuild's fresh database: what it replayed up to)."""
    await conn.execute(
        "INSERT INTO consumer_offsets (consumer, topic, partition, next_offset)"
        " SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])"
        " ON CONFLICT (consumer, topic, partition)"
        " DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()",
        consumer,
        *_columns(reached),
        list(reached.values()),
    )


class Positions:
    """One consumer's belief of its stored offsets, and what a batch does to them."""

    def __init__(self, consumer: str, pool: asyncpg.Pool) -> None:
        self.consumer = consumer
        self._pool = pool
        self._next: dict[TopicPartition, int] = {}
        """The stored offset per partition, as this consumer last read or wrote it."""

    async def fresh(self, batch: Batch, consumer: AIOKafkaConsumer) -> Batch:
        """The batch without what is applied already. A partition seen for the first time
        starts at its stored offset: when Kafka's position is elsewhere (its committed
        offset lags after a crash, or a rebuilt database is ahead), the partition is sought
        there and its records here are dropped (they come again from there)."""
        by_partition: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = defaultdict(list)
        for record in batch:
            by_partition[TopicPartition(record.topic, record.partition)].append(record)
        unknown = [tp for tp in by_partition if tp not in self._next]
        found = await stored(self._pool, self.consumer, unknown) if unknown else {}
        sought: set[TopicPartition] = set()
        for tp in unknown:
            at = found.get(tp)
            self._next[tp] = NOT_STORED if at is None else at  # none: Kafka's position
            if at is not None and by_partition[tp][0].offset != at:
                seek(consumer, {tp: at})
                sought.add(tp)
        return tuple(
            r
            for r in batch
            if (tp := TopicPartition(r.topic, r.partition)) not in sought
            and r.offset >= self._next[tp]
        )

    def moves(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[Move]:
        """The moves that storing these records as applied makes."""
        last: dict[TopicPartition, int] = {}
        for r in records:
            last[TopicPartition(r.topic, r.partition)] = r.offset
        return [Move(tp, self._next[tp], offset + 1) for tp, offset in last.items()]

    def moved(self, moves: Sequence[Move]) -> None:
        """The moves are committed."""
        for move in moves:
            self._next[move.partition] = move.next

    def forget(self, partitions: Sequence[TopicPartition]) -> None:
        """Overtaken here: read what is stored before the next records."""
        for tp in partitions:
            self._next.pop(tp, None)

    def committed(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int]:
        """Kafka's committed offsets to follow the stored ones (for monitoring)."""
        return {tp: self._next[tp] for tp in partitions if self._next.get(tp, NOT_STORED) >= 0}
