"""The sink floor: PostgreSQL's own limit for the projection. The rows the portfolio writes
for the same events (entries, journal rows, each partition's stored offset), built in
advance from the same records (read from Kafka and folded, not timed), loaded with binary
COPY in transactions of one poll each, into a database with the portfolio's schema (its
indexes and triggers) and the same durability. The projection cannot beat it."""

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import ConsumerRecord, TopicPartition
from pydantic_core import to_json

from bench import landed
from bench.projection import reading
from contracts import decode
from services.portfolio.app import DEFINITION
from services.portfolio.domain.portfolio import Entry, Portfolio, fold, staff_of
from services.portfolio.store import ENTRY_COLUMNS, entry_row
from services.shared.consumer import offsets
from services.shared.consumer.adapter import BATCH_RECORDS
from services.shared.db import migrate
from services.shared.definition import database_migrations

JOURNAL_COLUMNS = ("event_id", "type", "at", "staff_ids", "data")
JSON_COLUMNS = frozenset({"detail", "evidence", "reflections", "notes"})
CONSUMER = "portfolio.enrollments"


@dataclass(frozen=True)
class Poll:
    """One transaction's rows: a poll's records as the projection would write them."""

    entries: Sequence[tuple[object, ...]]
    journal: Sequence[tuple[object, ...]]
    moves: list[offsets.Move]


async def polls(bootstrap: str, topic: str, expected: int) -> list[Poll]:
    """The topic's records, as polls of BATCH_RECORDS, made into the rows they write."""
    made: list[Poll] = []
    positions: dict[TopicPartition, int] = {}
    async with reading(bootstrap, topic) as consumer:
        seen = 0
        while seen < expected:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=BATCH_RECORDS)
            records = [r for batch in fetched.values() for r in batch]
            if records:
                made.append(_poll(records, positions))
                seen += len(records)
    return made


def _poll(records: list[ConsumerRecord[bytes, bytes]], at: dict[TopicPartition, int]) -> Poll:
    envelopes = [decode(r.headers, r.value or b"") for r in records]
    folded = fold(Portfolio(), [e.data for e in envelopes])
    entries = [_record(e) for e in folded.entries.values()]
    journal = [(e.id, e.type, e.time, staff_of(e.data), e.body().decode()) for e in envelopes]
    last: dict[TopicPartition, int] = {}
    for r in records:
        last[TopicPartition(r.topic, r.partition)] = r.offset + 1
    moves = [offsets.Move(tp, at.get(tp, offsets.NOT_STORED), n) for tp, n in last.items()]
    at.update(last)
    return Poll(entries, journal, moves)


def _record(entry: Entry) -> tuple[object, ...]:
    """The entry as a row of the entries table, for COPY."""
    row = entry_row(entry)
    return tuple(
        to_json(row[c], fallback=str).decode() if c in JSON_COLUMNS else row[c]
        for c in ENTRY_COLUMNS
    )


async def load_rate(database_url: str, made: list[Poll]) -> float:
    """Rows per second landed, one transaction per poll, on one connection: from the first
    commit to the last, as the projection is timed."""
    await migrate(database_url, database_migrations(DEFINITION))
    conn = await asyncpg.connect(database_url)
    try:
        for poll in made:
            async with conn.transaction():
                await offsets.advance(conn, CONSUMER, poll.moves)
                await conn.copy_records_to_table(
                    "entries", records=poll.entries, columns=ENTRY_COLUMNS
                )
                await conn.copy_records_to_table(
                    "journal", records=poll.journal, columns=JOURNAL_COLUMNS
                )
    finally:
        await conn.close()
    span = await landed.commit_span(database_url, "journal")
    return span.per_second()


async def sink_floor_rate(bootstrap: str, topic: str, database_url: str, expected: int) -> float:
    """The rows built from the topic's records (not timed), then loaded (timed)."""
    return await load_rate(database_url, await polls(bootstrap, topic, expected))
