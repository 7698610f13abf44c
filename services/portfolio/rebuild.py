"""Rebuilds the portfolio's read models from every event in Kafka, into a fresh database,
while the old one keeps serving; then switches over.

The switch: no new connections to the old database, the last unpublished outbox rows and
what no event carries (evidence files, board targets) copied over, the databases renamed,
and a final pass over what arrived meanwhile. The service's connections are closed and
come back to the new database under the old name; its inbox drops anything seen twice.
"""

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker

from contracts import EnvelopeError, decode, topics
from services.portfolio.app import DEFINITION, consumers
from services.portfolio.replay import OWN
from services.shared.consumer import EventConsumer
from services.shared.db import create_pool, migrate
from services.shared.runtime import database_migrations
from services.shared.settings import ServiceSettings

# Other services' events first, then the portfolio's own: a reflection or a follow-up is
# always about an entry or an audit that came before it, whatever topic that came on.
PHASES = ((topics.ENROLLMENTS, topics.AUDITS), (topics.PORTFOLIO, topics.SCHOOL_AUDITS))
Positions = dict[TopicPartition, int]
COPIED = ("evidence_files", "board_targets")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Rebuilt:
    events: int
    database: str
    retired: str


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _consumers(pool: asyncpg.Pool, settings: ServiceSettings) -> Mapping[str, EventConsumer]:
    broker = KafkaBroker(settings.kafka_bootstrap_servers)  # never started: apply() needs none
    live = {c.group: c for c in consumers(pool, broker, settings)}
    own = EventConsumer("portfolio.own", pool, broker, OWN)
    return {
        topics.ENROLLMENTS: live["portfolio.enrollments"],
        topics.AUDITS: live["portfolio.audits"],
        topics.PORTFOLIO: own,
        topics.SCHOOL_AUDITS: own,
    }


async def _replay(
    reader: AIOKafkaConsumer, pool: asyncpg.Pool, settings: ServiceSettings, progress: Progress
) -> int:
    """Applies every record up to the end offsets as they are now; returns how many."""
    parts = list(reader.assignment())
    ends = await reader.end_offsets(parts)
    starts = {tp: await reader.position(tp) for tp in parts}
    total = sum(ends[tp] - starts[tp] for tp in parts)
    by_topic, done = _consumers(pool, settings), 0
    while await _behind(reader, ends):
        for tp, records in (await reader.getmany(timeout_ms=1000, max_records=500)).items():
            for record in records:
                if record.offset >= ends[tp]:
                    continue
                try:
                    envelope = decode(record.headers, record.value or b"")
                except EnvelopeError:
                    continue  # the live consumer sent it to the dead-letter topic
                await by_topic[tp.topic].apply(envelope)
                done += 1
        progress(done, total)
    return done


async def _partitions(bootstrap: str, names: tuple[str, ...]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(names))
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]


async def _pass(
    reader: AIOKafkaConsumer,
    pool: asyncpg.Pool,
    settings: ServiceSettings,
    progress: Progress,
    read: Positions,
) -> int:
    """Reads each phase's topics from where the last pass stopped (or the beginning) up
    to their end offsets as they are now; `read` keeps where it stopped."""
    count = 0
    for names in PHASES:
        parts = await _partitions(settings.kafka_bootstrap_servers, names)
        reader.assign(parts)
        for tp in parts:
            if tp in read:
                reader.seek(tp, read[tp])
        await reader.seek_to_beginning(*(tp for tp in parts if tp not in read))
        count += await _replay(reader, pool, settings, progress)
        read.update({tp: await reader.position(tp) for tp in parts})
    return count


async def _behind(reader: AIOKafkaConsumer, ends: Mapping[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await reader.position(tp) < end:
            return True
    return False


async def rebuild(settings: ServiceSettings, progress: Progress) -> Rebuilt:
    name = urlsplit(settings.database_url).path.lstrip("/")
    stamp = time.strftime("%Y%m%d%H%M%S")
    fresh, retired = f"{name}_rebuild_{stamp}", f"{name}_retired_{stamp}"
    admin = await asyncpg.connect(_with_database(settings.database_url, "postgres"))
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    try:
        await admin.execute(f'CREATE DATABASE "{fresh}"')
        fresh_url = _with_database(settings.database_url, fresh)
        await migrate(fresh_url, database_migrations(DEFINITION))
        await reader.start()
        read: Positions = {}
        pool = await create_pool(fresh_url)
        try:
            count = await _pass(reader, pool, settings, progress, read)
        except BaseException:
            await pool.close()
            # Nothing switched yet: the old read model serves on; drop the half-built one.
            await admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
            raise
        await pool.close()
        await _switch(admin, settings, name, fresh, retired)
        pool = await create_pool(settings.database_url)  # the rebuilt one, under the old name
        try:
            count += await _pass(reader, pool, settings, progress, read)
        finally:
            await pool.close()
        return Rebuilt(count, name, retired)
    finally:
        await reader.stop()
        await admin.close()


async def _switch(
    admin: asyncpg.Connection, settings: ServiceSettings, name: str, fresh: str, retired: str
) -> None:
    url = settings.database_url
    old = await asyncpg.connect(url)
    new = await asyncpg.connect(_with_database(url, fresh))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> $2",
            name,
            old.get_server_pid(),
        )
        rows = await old.fetch(
            "SELECT event_id, topic, key, headers, payload FROM outbox"
            " WHERE published_at IS NULL AND parked_at IS NULL ORDER BY seq"
        )
        await new.executemany(
            "INSERT INTO outbox (event_id, topic, key, headers, payload)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
            [tuple(r) for r in rows],
        )
        # Events the old database made but had not yet published: their effects too.
        pool = await create_pool(_with_database(url, fresh), min_size=1, max_size=2)
        try:
            by_topic = _consumers(pool, settings)
            for r in rows:
                envelope = decode(json.loads(r["headers"]), bytes(r["payload"]))
                await by_topic[r["topic"]].apply(envelope)
        finally:
            await pool.close()
        for table in COPIED:
            copied = await old.fetch(f"SELECT * FROM {table}")
            if copied:
                columns = ", ".join(copied[0].keys())
                marks = ", ".join(f"${i}" for i in range(1, len(copied[0]) + 1))
                await new.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING",
                    [tuple(r) for r in copied],
                )
    finally:
        await old.close()
        await new.close()
    await admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{retired}"')
    await admin.execute(f'ALTER DATABASE "{fresh}" RENAME TO "{name}"')
    await admin.execute(f'ALTER DATABASE "{retired}" ALLOW_CONNECTIONS true')
