"""`huisacademie portfolio rebuild`: rebuilds the portfolio's read models from every event
in Kafka, into a fresh database, while the old one keeps serving; then switches over.

The switch is a short freeze: the old database takes no connections (the service's
consumers wait, nothing of theirs stored, and its API answers 5xx for a moment); the
fresh one catches up to the end of every topic; the old one's unpublished outbox rows (with
their effects) and what no event carries (evidence files, board targets) are carried over;
the live consumers' stored offsets are set to where the rebuild stopped; both databases
are renamed in one transaction. The service's connections come back to the rebuilt
database under the old name, and its consumers, overtaken, seek to those offsets: no
rebalance is needed, and the journal's unique event ids drop anything read twice.
A failure before the rename leaves the old database serving as before.
"""

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

import asyncpg
import uvloop
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import EnvelopeError, decode, topics
from services.portfolio.app import DEFINITION, PortfolioSettings
from services.portfolio.handlers import OWN, SUBSCRIPTIONS
from services.portfolio.store import Store
from services.shared.consumer import Applier, offsets
from services.shared.db import Connection, create_pool, migrate, with_database
from services.shared.db import quote_identifier as q
from services.shared.definition import database_migrations
from services.shared.kafka_access import kafka_options, servers
from services.shared.kafka_client import recover_closed_connections
from services.shared.logging import configure_logging
from services.shared.privacy import keys
from services.shared.privacy.sealing import Sealer
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Database

# Other services' events first, then the portfolio's own: a reflection or a follow-up is
# always about an entry or an audit that came before it, whatever topic that came on.
PHASES = ((topics.ENROLLMENTS, topics.AUDITS), (topics.PORTFOLIO, topics.SCHOOL_AUDITS))
Positions = dict[TopicPartition, int]
COPIED = ("evidence_files", "board_targets", "board_retention", "pending_erasures")
Report = Callable[[int, int], None]
"""Told how many events are done, of how many."""


@dataclass(frozen=True)
class Rebuilt:
    events: int
    database: str
    retired: str
    dropped: list[str]
    """Retired databases older than RETIRED_KEPT, dropped after this rebuild."""


UNKNOWN_OFFICER = UUID(int=0)
"""Who erased someone the key store's register names and the old database does not."""
RETIRED_KEPT = timedelta(days=7)
"""How long a retired database is kept after a rebuild by default
(PORTFOLIO_RETIRED_KEPT_DAYS), to go back to if the rebuilt one is wrong: it holds
everything the portfolio held, texts and files in clear, so not longer."""


def expired(
    databases: Iterable[str], name: str, now: datetime, kept: timedelta = RETIRED_KEPT
) -> list[str]:
    """The retired databases of `name` older than `kept` (their names say when)."""
    found = []
    for database in databases:
        stamp = database.removeprefix(f"{name}_retired_")
        if stamp == database:
            continue
        try:
            retired_at = datetime.strptime(stamp, "%Y%m%d%H%M%S")
        except ValueError:
            continue
        if now - retired_at > kept:
            found.append(database)
    return found


def _appliers(database: Database[Any]) -> Mapping[str, Applier]:
    """Per topic, what applies its events: under the live consumers' names, the own topics
    as portfolio.own.
    What people wrote is opened with the key store's keys: an erased person's stays shut."""
    return {
        topic: Applier(s.group, database, s.handlers)
        for s in (*SUBSCRIPTIONS, OWN)
        for topic in s.topics
    }


async def _replay(
    reader: AIOKafkaConsumer,
    database: Database[Any],
    report: Report,
    ends: Mapping[TopicPartition, int],
) -> int:
    """Applies every record up to `ends`; returns how many."""
    parts = list(ends)
    starts = {tp: await reader.position(tp) for tp in parts}
    total = sum(ends[tp] - starts[tp] for tp in parts)
    by_topic, done = _appliers(database), 0
    while await _behind(reader, ends):
        for tp, records in (await reader.getmany(timeout_ms=1000, max_records=2000)).items():
            envelopes = []
            for record in records:
                if record.offset >= ends[tp]:
                    continue
                try:
                    envelopes.append(decode(record.headers, record.value or b""))
                except EnvelopeError:
                    continue  # the live consumer sent it to the dead-letter topic
            await by_topic[tp.topic].apply_all(envelopes)  # one transaction per poll
            done += len(envelopes)
        report(done, total)
    return done


async def _partitions(bootstrap: str, names: tuple[str, ...]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(bootstrap), **kafka_options())
    await admin.start()
    try:
        described = await admin.describe_topics(list(names))
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]


async def _pass(
    reader: AIOKafkaConsumer,
    database: Database[Any],
    settings: ServiceSettings,
    report: Report,
    read: Positions,
) -> int:
    """Reads each phase's topics from where the last pass stopped (or the beginning) up
    to their end offsets as they are now; `read` keeps where it stopped."""
    count = 0
    for names in PHASES:
        parts = await _partitions(settings.kafka_bootstrap_servers, names)
        reader.assign(parts)
        fresh = [tp for tp in parts if tp not in read]
        if fresh:
            starts = await reader.beginning_offsets(fresh)
            if lost := {f"{tp.topic}[{tp.partition}]": o for tp, o in starts.items() if o > 0}:
                raise RebuildRefused(f"Kafka no longer holds the whole history of {lost}")
            read.update(starts)
        for tp in parts:
            # Explicit offsets: seek_to_beginning after beginning_offsets is not to be trusted.
            reader.seek(tp, read[tp])
        ends = await reader.end_offsets(parts)
        count += await _replay(reader, database, report, ends)
        read.update(ends)
    return count


class RebuildRefused(RuntimeError):
    pass


async def _behind(reader: AIOKafkaConsumer, ends: Mapping[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await reader.position(tp) < end:
            return True
    return False


async def rebuild(settings: ServiceSettings, admin_url: str, report: Report) -> Rebuilt:
    """`admin_url`: the server's maintenance database as a superuser (it makes a database
    for the live one's owner, migrates it as that owner, ends the live one's sessions and
    renames both); the fresh database grants the portfolio's role (the user of its
    database URL) its rows, and the retired one no longer lets it connect."""
    live = urlsplit(settings.database_url)
    name, runtime_role = live.path.lstrip("/"), unquote(live.username or "")
    if not runtime_role:
        raise RebuildRefused("name the portfolio's role in PORTFOLIO_DATABASE_URL")
    stamp = time.strftime("%Y%m%d%H%M%S")
    fresh, retired = f"{name}_rebuild_{stamp}", f"{name}_retired_{stamp}"
    fresh_url = with_database(admin_url, fresh)
    admin = await asyncpg.connect(admin_url)
    owner = await admin.fetchval(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
    )
    if owner is None:
        await admin.close()
        raise RebuildRefused(f"there is no database {name} to rebuild")
    sealer = await _sealer(settings)
    reader = AIOKafkaConsumer(
        bootstrap_servers=servers(settings.kafka_bootstrap_servers),
        **kafka_options(),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    renamed = False
    try:
        await admin.execute(f"CREATE DATABASE {q(fresh)} OWNER {q(owner)}")
        await migrate(
            fresh_url, database_migrations(DEFINITION), writers=[runtime_role], as_role=owner
        )
        await reader.start()
        read: Positions = {}
        # Durable at the switch, not at every batch: a crash before it leaves the old
        # database serving and this one dropped; the last commits (the stored offsets, with
        # synchronous_commit on) flush everything before them.
        pool = await create_pool(fresh_url, server_settings={"synchronous_commit": "off"})
        database = DEFINITION.database(pool, sealer, store=lambda conn: Store(conn, lock=False))
        register = await asyncpg.connect(with_database(admin_url, name))
        try:
            async with pool.acquire() as conn:
                await _forget_the_erased(register, conn, sealer)
        finally:
            await register.close()
        try:
            async with pool.acquire() as conn:
                deferred = await _defer_indexes(conn)
            count = await _pass(reader, database, settings, report, read)  # the old one serves
            async with pool.acquire() as conn:
                for definition in deferred:
                    await conn.execute(definition)
            old = await _freeze(admin, with_database(admin_url, name), name)
            try:
                count += await _pass(reader, database, settings, report, read)  # catching up
                await _carry_over(old, database)
                await _reached(database, read)
            finally:
                await old.close()
        finally:
            await pool.close()
        async with admin.transaction():
            await admin.execute(f"ALTER DATABASE {q(name)} RENAME TO {q(retired)}")
            await admin.execute(f"ALTER DATABASE {q(fresh)} RENAME TO {q(name)}")
            await admin.execute(f"REVOKE CONNECT ON DATABASE {q(retired)} FROM {q(runtime_role)}")
        renamed = True
        existing = [r["datname"] for r in await admin.fetch("SELECT datname FROM pg_database")]
        kept = timedelta(days=settings.retired_kept_days)
        dropped = expired(existing, name, datetime.now(), kept)
        for expired_one in dropped:
            await admin.execute(f"DROP DATABASE IF EXISTS {q(expired_one)} WITH (FORCE)")
        return Rebuilt(count, name, retired, dropped)
    finally:
        if not renamed:
            await admin.execute(f"DROP DATABASE IF EXISTS {q(fresh)} WITH (FORCE)")
        await admin.execute(
            f"ALTER DATABASE {q(retired if renamed else name)} ALLOW_CONNECTIONS true"
        )
        await reader.stop()
        await admin.close()
        if sealer is not None:
            await sealer.keys.close()


async def _sealer(settings: ServiceSettings) -> Sealer | None:
    """The key store the portfolio reads what people wrote with (none configured: such text
    stays sealed in the rebuilt read model)."""
    url, master = settings.keystore_database_url, settings.master_key()
    if url is None or master is None:
        return None
    return Sealer(await keys.open_key_store(url, master, settings.previous_master_key()))


async def _freeze(admin: asyncpg.Connection, url: str, name: str) -> asyncpg.Connection:
    """No new connections to the old database, the others closed; keeps one for reading."""
    old = await asyncpg.connect(url)
    await admin.execute(f"ALTER DATABASE {q(name)} ALLOW_CONNECTIONS false")
    await admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2",
        name,
        old.get_server_pid(),
    )
    return old


async def _carry_over(old: asyncpg.Connection, database: Database[Any]) -> None:
    """What the old database holds that Kafka does not: its unpublished (or parked) events,
    which are applied and left for the relay to publish, evidence files, boards' targets and
    retention periods, erasures not yet finished."""
    rows = await old.fetch(
        "SELECT event_id, topic, key, headers, payload, parked_at, park_reason, traceparent,"
        " tracestate FROM outbox WHERE published_at IS NULL ORDER BY seq"
    )
    by_topic = _appliers(database)
    async with database.pool.acquire() as conn:
        await _forget_the_erased(old, conn, database.sealer)
        await conn.executemany(
            "INSERT INTO outbox (event_id, topic, key, headers, payload, parked_at, park_reason,"
            " traceparent, tracestate) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (event_id) DO NOTHING",
            [tuple(r) for r in rows],
        )
        for r in rows:
            if r["topic"] in by_topic:  # a PersonErased is only published
                envelope = decode(json.loads(r["headers"]), bytes(r["payload"]))
                await by_topic[r["topic"]].apply(envelope)
        for table in COPIED:
            async with old.transaction():
                cursor = old.cursor(f"SELECT * FROM {table}")
                async for row in cursor:  # one at a time: files can be large
                    columns = ", ".join(row.keys())
                    marks = ", ".join(f"${i}" for i in range(1, len(row) + 1))
                    await conn.execute(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING",
                        *row.values(),
                    )


DEFERRED = ("entries", "journal")
"""The tables whose secondary indexes a rebuild builds after its first pass, at once,
rather than row by row (their keys stay: the replay looks rows up by them)."""


async def _defer_indexes(conn: Connection) -> list[str]:
    """Drops the secondary indexes of DEFERRED; returns the statements that make them."""
    rows = await conn.fetch(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS made"
        " FROM pg_index i WHERE i.indrelid = ANY($1::text[]::regclass[])"
        " AND NOT i.indisunique AND NOT i.indisprimary",
        list(DEFERRED),
    )
    for row in rows:
        await conn.execute(f"DROP INDEX {row['name']}")
    return [row["made"] for row in rows]


async def _reached(database: Database[Any], read: Positions) -> None:
    """The live consumers' stored offsets: where the rebuild stopped reading. Their own,
    believed from the old database, no longer match: their next move fails its
    compare-and-set, and they seek to these (services/shared/consumer/offsets.py). Committed
    durably, which makes every commit of the rebuild before it durable too."""
    async with database.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit = on")
        for s in SUBSCRIPTIONS:
            await offsets.store(
                conn, s.group, {tp: at for tp, at in read.items() if tp.topic in s.topics}
            )


async def _forget_the_erased(
    old: asyncpg.Connection, conn: Connection, sealer: Sealer | None
) -> None:
    """The erasure register, taken over: nothing about an erased person is stored in the
    fresh database (before the replay), and whoever was erased while the rebuild ran is
    forgotten there (at the switch). The old database's register says who and why; the key
    store's (whose key is gone) says who, also when the old database was restored from
    before an erasure."""
    store = Store(conn)
    known = await old.fetch("SELECT staff_id, erased_by, reason FROM erased_staff")
    for r in known:
        await store.erase(r["staff_id"], r["erased_by"], r["reason"])
    if sealer is not None:
        for staff_id in await sealer.keys.register() - {r["staff_id"] for r in known}:
            await store.erase(staff_id, UNKNOWN_OFFICER, "erased: the key store's register")


def _bar(done: int, total: int) -> None:
    share = done / total if total else 1.0
    filled = round(30 * share)
    sys.stderr.write(
        f"\rrebuilding [{'#' * filled}{'.' * (30 - filled)}] {share:6.1%} ({done}/{total} events)"
    )
    sys.stderr.flush()


def rebuild_portfolio(env: Mapping[str, str]) -> None:
    """Rebuilds against the servers the environment names (the local stack's by default):
    PORTFOLIO_DATABASE_URL (the live database, as the portfolio's role) and
    ADMIN_DATABASE_URL (the server's maintenance database, as a superuser)."""
    os.environ.update({k: v for k, v in env.items() if k not in os.environ})
    settings = PortfolioSettings()
    if not (admin_url := os.environ.get("ADMIN_DATABASE_URL")):
        raise SystemExit("huisacademie portfolio rebuild: set ADMIN_DATABASE_URL")
    configure_logging("warning", settings.log_json)  # the progress bar says how it goes
    recover_closed_connections()
    done = uvloop.run(rebuild(settings, admin_url, _bar))
    sys.stderr.write("\n")
    print(
        f"rebuilt {done.database} from {done.events} events; the old one is kept as {done.retired}"
        f" for {settings.retired_kept_days} days"
        + (f"; dropped {', '.join(done.dropped)}" if done.dropped else "")
    )
