"""When a benchmark's rows landed, read from the data rather than from a clock beside it:
each row's commit time (PostgreSQL's `track_commit_timestamp`, on for the bench's cluster),
read once, after the work is done. Whether it is done is asked at most once a second, and
never by counting a table while it fills: of Kafka (a consumer group's committed offsets
against the topics' ends), or of an index that holds only what is left to do."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError

from services.shared.kafka_access import kafka_options, servers

POLL_S = 1.0
"""How often any benchmark asks whether its work is done."""


@dataclass(frozen=True)
class Span:
    """Rows of one table and the commit times of the first and the last (epoch seconds)."""

    rows: int
    first: float
    last: float

    @property
    def seconds(self) -> float:
        return self.last - self.first

    def per_second(self, events: int | None = None) -> float:
        """`events` (by default the rows) over the span, from the first commit to the last."""
        return round((self.rows if events is None else events) / max(self.seconds, 1e-3), 1)


async def commit_span(database_url: str, table: str, since: float = 0.0) -> Span:
    """The commit times of the first and the last transaction that wrote `table`'s rows (those
    committed at `since`, epoch seconds, or later)."""
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS rows, extract(epoch FROM min(t))::float8 AS first,"
            " extract(epoch FROM max(t))::float8 AS last"
            f" FROM (SELECT pg_xact_commit_timestamp(xmin) AS t FROM {table}) AS landed"
            " WHERE t >= to_timestamp($1)",
            since,
        )
    finally:
        await conn.close()
    if row is None or row["first"] is None:
        raise RuntimeError(f"{table}: no rows with a commit time (track_commit_timestamp off?)")
    return Span(int(row["rows"]), float(row["first"]), float(row["last"]))


async def until(done: Callable[[], Awaitable[bool]], what: str, patience: float = 1800.0) -> None:
    """Ask `done` once a second until it says yes."""
    deadline = time.monotonic() + patience
    while not await done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {patience:.0f} s")
        await asyncio.sleep(POLL_S)


class GroupWatch:
    """Whether a consumer group has committed every record of its topics."""

    def __init__(self, bootstrap: str, group: str, topics: Sequence[str]) -> None:
        self._bootstrap, self._group, self._topics = bootstrap, group, topics
        self._admin = AIOKafkaAdminClient(bootstrap_servers=servers(bootstrap), **kafka_options())
        self._ends = AIOKafkaConsumer(bootstrap_servers=servers(bootstrap), **kafka_options())
        self._end: dict[TopicPartition, int] = {}

    async def __aenter__(self) -> "GroupWatch":
        await self._admin.start()
        await self._ends.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._ends.stop()
        await self._admin.close()

    async def mark_end(self) -> None:
        """The topics' ends now: what the group must reach (nothing more is produced)."""
        await self._ends._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p)
            for topic in self._topics
            for p in self._ends.partitions_for_topic(topic) or ()
        ]
        self._end = await self._ends.end_offsets(partitions)

    async def caught_up(self) -> bool:
        try:
            committed = await self._admin.list_consumer_group_offsets(self._group)
        except GroupCoordinatorNotAvailableError:  # a fresh broker makes its offsets topic
            return False
        return all(
            (at.offset if (at := committed.get(tp)) else 0) >= end for tp, end in self._end.items()
        )


async def drained(bootstrap: str, database_urls: Sequence[str]) -> bool:
    """Nothing left to do anywhere: every outbox published (asked through its index of rows
    to send) and every consumer group's committed offsets at the ends of its partitions."""
    for url in database_urls:
        conn = await asyncpg.connect(url)
        try:
            if await conn.fetchval(
                "SELECT EXISTS (SELECT FROM outbox"
                " WHERE published_at IS NULL AND parked_at IS NULL)"
            ):
                return False
        finally:
            await conn.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(bootstrap), **kafka_options())
    ends = AIOKafkaConsumer(bootstrap_servers=servers(bootstrap), **kafka_options())
    await admin.start()
    await ends.start()
    try:
        for group, *_ in await admin.list_consumer_groups():
            committed = await admin.list_consumer_group_offsets(group)
            if not committed:
                continue
            end = await ends.end_offsets(list(committed))
            if any(at.offset < end[tp] for tp, at in committed.items()):
                return False
        return True
    finally:
        await ends.stop()
        await admin.close()
