"""Where marker strings can still be found: on every topic (event and dead-letter topics,
straight from the brokers, batches decompressed by the client), in a pg_dump of every
database of the system (bytea decoded), in the services' logs; in clear, or by opening
sealed fields with whatever keys the key store still holds. A scan that finds nothing
proves something only beside one that found everything first."""

import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from contracts import EnvelopeError, decode
from contracts.personal import Sealed
from contracts.topics import all_topics
from huisacademie.stack.pginstall import find_bin
from services.shared.db import with_database
from services.shared.privacy.keys import KeyStoreUnavailable
from services.shared.privacy.sealing import Sealer, personal, sealed
from tests.support.kafka import read_all

_BYTEA = re.compile(rb"\\\\x([0-9a-f]+)")


@dataclass
class Found:
    """Per marker, where it was found."""

    places: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def look(self, markers: Iterable[str], where: str, text: bytes) -> None:
        for marker in markers:
            if marker.encode() in text:
                self.places[marker].add(where)

    def of(self, markers: Iterable[str]) -> dict[str, set[str]]:
        return {m: self.places[m] for m in markers if self.places.get(m)}


async def scan(
    markers: Iterable[str],
    *,
    bootstrap: str,
    admin_url: str,
    databases: Iterable[str],
    logs: Path,
    sealer: Sealer,
) -> Found:
    wanted = list(markers)
    found = Found()
    for topic, _ in all_topics():
        for record in await read_all(bootstrap, topic):
            where = f"topic {topic}"
            found.look(wanted, where, record.value or b"")
            await _look_sealed(found, wanted, where, record.headers, record.value or b"", sealer)
    for database in databases:
        dump = _pg_dump(admin_url, database)
        found.look(wanted, f"pg_dump {database}", dump)
        for hexed in _BYTEA.findall(dump):
            found.look(wanted, f"pg_dump {database} (bytea)", bytes.fromhex(hexed.decode()))
        await _look_in_outbox(found, wanted, admin_url, database, sealer)
    _look_in_logs(found, wanted, logs)
    return found


def _look_in_logs(found: Found, markers: list[str], logs: Path) -> None:
    for log in sorted(logs.glob("*.log")):
        found.look(markers, f"log {log.name}", log.read_bytes())


async def _look_sealed(
    found: Found,
    markers: list[str],
    where: str,
    headers: Iterable[tuple[str, bytes]] | dict[str, str],
    body: bytes,
    sealer: Sealer,
) -> None:
    try:
        envelope = decode(headers, body)
    except EnvelopeError:
        return
    if not sealed(envelope.data):
        return
    try:
        [opened] = await sealer.open([envelope])
    except KeyStoreUnavailable:
        return  # sealed with a key this key store never had (an earlier session's): shut

    for name, value in personal(opened.data).items():
        if value is not None and not isinstance(value, Sealed):
            found.look(markers, f"{where} (opened {name})", str(value).encode())


async def _look_in_outbox(
    found: Found, markers: list[str], admin_url: str, database: str, sealer: Sealer
) -> None:
    conn = await asyncpg.connect(with_database(admin_url, database))
    try:
        if await conn.fetchval("SELECT to_regclass('outbox')") is None:
            return
        rows = await conn.fetch("SELECT headers, payload FROM outbox")
    finally:
        await conn.close()
    for row in rows:
        headers = json.loads(row["headers"])
        await _look_sealed(
            found, markers, f"outbox {database}", headers, bytes(row["payload"]), sealer
        )


def _pg_dump(admin_url: str, database: str) -> bytes:
    bindir = find_bin()
    command = str(bindir / "pg_dump") if bindir else "pg_dump"
    done = subprocess.run(
        [command, "--data-only", "--no-owner", f"--dbname={with_database(admin_url, database)}"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"pg_dump {database}: {done.stderr.decode()}")
    return done.stdout
