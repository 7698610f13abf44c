"""Kafka Connect (standalone) with Debezium's JDBC sink: how fast it lands a topic in PostgreSQL.

The worker runs from Maven jars (``deploy/bench/pom.xml`` -> ``.local/connect-libs``) as a
plain ``java`` subprocess; no plugin.path, everything is on one classpath (plugins found by
their ServiceLoader manifests). Needs Java 17; Java 25 is taken if the jars ever need more.
Records are JSON
with an embedded schema (``value.converter.schemas.enable=true``), so the sink knows the
column types and creates the table itself (``schema.evolution=basic``).

``python -m bench.connect --selftest`` brings up a Kafka + PostgreSQL of its own (ports
39092/39093 and 35433, data in ``.local/bench-connect``), produces 100,000 records to a fresh
6-partition topic, sinks them and prints rows/s; it stops that stack afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

import asyncpg
import httpx

from bench import landed
from huisacademie.stack.jars import log4j2_config, resolve_jars
from huisacademie.stack.kafka_access import kafka_access
from huisacademie.stack.layout import StackError, StackLayout, repo_root
from huisacademie.stack.postgres import admin_url
from services.shared.kafka_access import kafka_options

CONNECT_POM = repo_root() / "deploy" / "bench" / "pom.xml"
CONNECT_LIBS = repo_root() / ".local" / "connect-libs"
JAVA25_HOME = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
CONNECTOR_CLASS = "io.debezium.connector.jdbc.JdbcSinkConnector"
PARTITIONS = 6
# Debezium's default is 500. The sink flushes what one put() hands it, so max.poll.records is
# raised to the same figure (below it, max.poll.records would cap the batch).
BATCH_SIZE = 2000
DEFAULT_TABLE = "completion"

_STAMP = ".pom-sha256"
_JAVA_RELEASE = ".java-release"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

_LOG4J2_XML = log4j2_config(
    {
        "org.reflections": "ERROR",
        "org.apache.kafka.clients": "WARN",
        "org.apache.kafka.common.config.AbstractConfig": "WARN",
        "org.hibernate": "WARN",
    }
)


# --- jars and Java ---------------------------------------------------------------------------


def _max_class_release(jar: Path) -> int:
    """The highest Java release that a class in ``jar`` needs (multi-release parts skipped)."""
    highest = 0
    with zipfile.ZipFile(jar) as archive:
        for name in archive.namelist():
            if not name.endswith(".class") or name.startswith("META-INF/"):
                continue
            with archive.open(name) as entry:
                head = entry.read(8)
            if head[:4] == b"\xca\xfe\xba\xbe":
                highest = max(highest, struct.unpack(">H", head[6:8])[0] - 44)
    return highest


def ensure_connect_jars() -> Path:
    """Copy the Connect worker's jars to ``<repo>/.local/connect-libs`` (once per pom version).

    Also records in ``.java-release`` the newest Java release any of their classes needs.
    """
    libs = resolve_jars(CONNECT_POM, CONNECT_LIBS, "debezium-connector-jdbc-*.jar")
    marker = libs / _JAVA_RELEASE
    if not marker.is_file():
        release = max(_max_class_release(jar) for jar in libs.glob("*.jar"))
        marker.write_text(f"{release}\n")
    return libs


def _java_release(java: str) -> int:
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if found is None:
        return 0
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def java_for(libs: Path) -> str:
    """``java`` from the PATH if it is new enough for the jars in ``libs``, else Java 25."""
    needed = int((libs / _JAVA_RELEASE).read_text())
    candidates = [shutil.which("java") or "java", str(JAVA25_HOME / "bin" / "java")]
    for java in candidates:
        if (java == candidates[0] or Path(java).is_file()) and _java_release(java) >= needed:
            return java
    raise StackError(f"the Connect jars need Java {needed}; none of {candidates} is that new")


# --- records ---------------------------------------------------------------------------------


def _field(name: str, kind: str) -> dict[str, Any]:
    return {"field": name, "type": kind, "optional": False}


COMPLETION_SCHEMA: dict[str, Any] = {
    "type": "struct",
    "name": "huisacademie.bench.Completion",
    "optional": False,
    "fields": [
        _field("event_id", "string"),
        _field("staff_id", "string"),
        _field("offering_id", "string"),
        _field("title", "string"),
        _field("hours", "double"),  # Connect's float64
        _field("completed_on", "string"),
    ],
}
_SCHEMA_JSON = json.dumps(COMPLETION_SCHEMA, separators=(",", ":"))


def completion_record_with_schema(
    event_id: str,
    staff_id: str,
    offering_id: str,
    title: str,
    hours: float,
    completed_on: str,
) -> bytes:
    """A JsonConverter record (``schemas.enable=true``): ``{"schema": ..., "payload": ...}``."""
    payload = {
        "event_id": event_id,
        "staff_id": staff_id,
        "offering_id": offering_id,
        "title": title,
        "hours": float(hours),
        "completed_on": completed_on,
    }
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f'{{"schema":{_SCHEMA_JSON},"payload":{body}}}'.encode()


# --- the worker ------------------------------------------------------------------------------


def _properties(settings: Mapping[str, object]) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n")

    return "".join(f"{key}={escape(str(value))}\n" for key, value in settings.items())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def jdbc_settings(database_url: str) -> dict[str, str]:
    """``postgresql://user:pw@host:port/db`` as the sink's connection.* settings."""
    url = urlsplit(database_url)
    if url.scheme not in ("postgresql", "postgres") or not url.path.strip("/"):
        raise ValueError(f"not a postgresql://host:port/database URL: {database_url!r}")
    host = url.hostname or "127.0.0.1"
    # reWriteBatchedInserts: pgjdbc sends a JDBC batch of INSERTs as multi-row INSERTs.
    settings = {
        "connection.url": f"jdbc:postgresql://{host}:{url.port or 5432}{url.path}"
        "?reWriteBatchedInserts=true",
        "connection.username": unquote(url.username or "postgres"),
    }
    if url.password:
        settings["connection.password"] = unquote(url.password)
    return settings


def worker_settings(
    bootstrap: str, workdir: Path, rest_port: int, batch_size: int
) -> dict[str, str]:
    return {
        "bootstrap.servers": bootstrap,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "true",
        # A sink's offsets live in its consumer group; the file is still required (and fresh).
        "offset.storage.file.filename": str(workdir / "connect.offsets"),
        # Committed offsets say when every row has landed (bench/landed.py): each second,
        # not every 10 s (more work for the sink, never less).
        "offset.flush.interval.ms": "1000",
        "listeners": f"http://127.0.0.1:{rest_port}",
        # Every jar here has ServiceLoader manifests: skipping the reflective classpath scan
        # saves ~30 s of startup (hybrid_warn, the default, does both scans).
        "plugin.discovery": "service_load",
        "consumer.max.poll.records": str(batch_size),
        # A task reads one partition; at ~700 bytes a record 1 MiB (the default) holds fewer
        # than 2000, so one fetch could not fill a batch.
        "consumer.max.partition.fetch.bytes": str(max(1 << 20, batch_size * 2048)),
        "consumer.auto.offset.reset": "earliest",
        # The worker, its sink's consumer and its admin sign in as the operator.
        **{
            f"{prefix}{key}": value
            for key, value in kafka_access().client_properties().items()
            for prefix in ("", "consumer.", "producer.", "admin.")
        },
    }


def connector_settings(
    name: str,
    topic: str,
    database_url: str,
    table: str,
    *,
    tasks: int = PARTITIONS,
    batch_size: int = BATCH_SIZE,
    unnest: bool = False,
) -> dict[str, str]:
    return {
        "name": name,
        "connector.class": CONNECTOR_CLASS,
        "tasks.max": str(tasks),
        "topics": topic,
        **jdbc_settings(database_url),
        "insert.mode": "upsert",
        "primary.key.mode": "record_value",
        "primary.key.fields": "event_id",
        "schema.evolution": "basic",
        "delete.enabled": "false",
        "collection.name.format": table,
        "batch.size": str(batch_size),
        # One connection per task is all a sink task uses at a time.
        "connection.pool.min_size": "1",
        "connection.pool.max_size": "2",
        "dialect.postgres.unnest.insert.enabled": "true" if unnest else "false",
    }


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


async def _failed_tasks(client: httpx.AsyncClient, name: str) -> str | None:
    """The trace of a FAILED connector or task, or None (also while the REST API starts)."""
    try:
        response = await client.get(f"/connectors/{name}/status")
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    status = response.json()
    for part in [status.get("connector", {}), *status.get("tasks", [])]:
        if part.get("state") == "FAILED":
            return str(part.get("trace", "FAILED"))
    return None


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the worker (it closes its tasks and consumer group), SIGKILL after 30 s."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), 30.0)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


@dataclass(frozen=True)
class _Worker:
    name: str
    argv: list[str]
    rest_port: int
    log: Path


def _prepare_worker(
    bootstrap: str,
    topic: str,
    database_url: str,
    workdir: Path,
    table: str,
    tasks: int,
    batch_size: int,
    unnest: bool,
) -> _Worker:
    """Resolve jars and Java; write the worker, connector and log4j2 files into ``workdir``."""
    libs = ensure_connect_jars()
    java = java_for(libs)
    workdir.mkdir(parents=True, exist_ok=True)
    name = f"bench-jdbc-sink-{uuid.uuid4().hex[:10]}"  # a new consumer group: connect-<name>
    rest_port = _free_port()
    (workdir / "connect.offsets").unlink(missing_ok=True)
    worker, connector = workdir / "worker.properties", workdir / "connector.properties"
    worker.write_text(_properties(worker_settings(bootstrap, workdir, rest_port, batch_size)))
    settings = connector_settings(
        name, topic, database_url, table, tasks=tasks, batch_size=batch_size, unnest=unnest
    )
    connector.write_text(_properties(settings))
    (workdir / "log4j2.xml").write_text(_LOG4J2_XML)
    argv = [
        java, "-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={workdir / 'log4j2.xml'}",
        "-cp", f"{libs}/*",
        "org.apache.kafka.connect.cli.ConnectStandalone", str(worker), str(connector),
    ]  # fmt: skip
    return _Worker(name, argv, rest_port, workdir / "connect.log")


def _open_log(path: Path) -> BinaryIO:
    return open(path, "wb")


async def connect_sink_rate(
    bootstrap: str,
    topic: str,
    database_url: str,
    expected_rows: int,
    workdir: Path,
    *,
    table: str = DEFAULT_TABLE,
    tasks: int = PARTITIONS,
    batch_size: int = BATCH_SIZE,
    unnest: bool = False,
    max_seconds: float = 900.0,
) -> tuple[float, float]:
    """Sink ``topic`` into ``table`` with a standalone Connect worker; time it.

    Drops ``table`` first (the sink creates it), uses a new connector name (so a new consumer
    group, reading from the earliest offset) and a new offsets file in ``workdir``, and stops
    the worker once its consumer group has committed the topic's end (asked once a second;
    the sink writes a batch before it commits its offsets). Returns (seconds from the
    worker's start to the last row's commit, seconds from the first row's commit to the
    last), read from the rows' commit times (bench/landed.py). The worker's log is
    ``workdir/connect.log``.
    """
    if not _IDENT.match(table):
        raise ValueError(f"refusing table name {table!r}: use lower-case letters, digits, '_'")
    run = _prepare_worker(bootstrap, topic, database_url, workdir, table, tasks, batch_size, unnest)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        await conn.close()
    async with landed.GroupWatch(bootstrap, f"connect-{run.name}", [topic]) as group:
        await group.mark_end()
        with _open_log(run.log) as log:
            started = time.time()
            proc = await asyncio.create_subprocess_exec(
                *run.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            rest = httpx.AsyncClient(base_url=f"http://127.0.0.1:{run.rest_port}", timeout=2.0)
            async with rest:

                async def done() -> bool:
                    if proc.returncode is not None:
                        raise StackError(
                            f"the Connect worker exited ({proc.returncode}); {run.log}:\n"
                            f"{_tail(run.log)}"
                        )
                    trace = await _failed_tasks(rest, run.name)
                    if trace is not None:
                        raise StackError(f"the JDBC sink failed ({run.log}):\n{trace}")
                    return await group.caught_up()

                await landed.until(done, f"the JDBC sink ({run.log})", max_seconds)
        finally:
            await _stop(proc)
    span = await landed.commit_span(database_url, table)
    if span.rows < expected_rows:
        raise StackError(f"{span.rows} of {expected_rows} rows landed; see {run.log}")
    return span.last - started, span.seconds


# --- the self-test ---------------------------------------------------------------------------

SELFTEST_LAYOUT = StackLayout(
    root=repo_root() / ".local" / "bench-connect",
    kafka_port=39092,
    controller_port=39093,
    pg_port=35433,
)
SELFTEST_DATABASE = "bench_connect"


async def produce_completions(bootstrap: str, topic: str, count: int) -> float:
    """``count`` completion records keyed by event_id; returns the sum of their hours."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=20,
        max_batch_size=512 * 1024,
        **kafka_options(),
    )
    await producer.start()
    total_hours = 0.0
    try:
        pending: list[asyncio.Future[Any]] = []
        for n in range(count):
            event_id = str(uuid.UUID(int=n + 1))
            hours = float(1 + n % 8) / 2
            total_hours += hours
            value = completion_record_with_schema(
                event_id=event_id,
                staff_id=str(uuid.UUID(int=((n % 20_000) + 1) << 64)),
                offering_id=str(uuid.UUID(int=((n % 40) + 1) << 96)),
                title=f"Course {n % 40}: reading didactics in groups 3-4",
                hours=hours,
                completed_on=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
            )
            pending.append(await producer.send(topic, value=value, key=event_id.encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return total_hours


async def _measure(topic: str, records: int, batch_size: int, unnest: bool, workdir: Path) -> None:
    layout = SELFTEST_LAYOUT
    database_url = admin_url(layout, SELFTEST_DATABASE)
    began = time.monotonic()
    expected_hours = await produce_completions(layout.kafka_bootstrap, topic, records)
    produced = time.monotonic() - began
    print(f"produced {records} records to {topic} in {produced:.1f} s", flush=True)
    total, span = await connect_sink_rate(
        layout.kafka_bootstrap, topic, database_url, records, workdir,
        batch_size=batch_size, unnest=unnest,
    )  # fmt: skip
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            f"SELECT count(*) AS n, count(DISTINCT event_id) AS ids, sum(hours) AS hours "
            f"FROM {DEFAULT_TABLE}"
        )
        columns = await conn.fetch(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = $1 ORDER BY ordinal_position",
            DEFAULT_TABLE,
        )
    finally:
        await conn.close()
    assert row is not None
    if row["n"] != records or row["ids"] != records or abs(row["hours"] - expected_hours) > 1e-6:
        raise StackError(f"table holds {dict(row)}, expected {records} rows, {expected_hours} h")
    print("table " + DEFAULT_TABLE + ": " + ", ".join(f"{c[0]} {c[1]}" for c in columns))
    print(f"verified: {row['n']} rows, {row['ids']} distinct event_id, sum(hours)={row['hours']}")
    print(
        f"JDBC sink (batch.size={batch_size}, tasks.max={PARTITIONS}, unnest={unnest}): "
        f"worker start -> all rows {total:.2f} s ({records / total:,.0f} rows/s); "
        f"first -> last row {span:.2f} s ({records / max(span, 1e-9):,.0f} rows/s); "
        f"startup ~{total - span:.2f} s",
        flush=True,
    )


def selftest(records: int, batch_size: int, unnest: bool, keep: bool) -> None:
    from bench import stack as bench_stack
    from huisacademie.stack import start_kafka, stop_kafka, stop_postgres

    layout = SELFTEST_LAYOUT
    topic = f"bench.connect.completions.{time.strftime('%Y%m%d%H%M%S')}"
    libs = ensure_connect_jars()
    print(f"jars in {libs}; java: {java_for(libs)}", flush=True)
    try:
        # A broker with empty logs: the topics keep their records forever (retention.ms=-1).
        stop_kafka(layout)
        shutil.rmtree(layout.root / "kafka", ignore_errors=True)
        start_kafka(layout, [(topic, PARTITIONS)])
        bench_stack.start_postgres(layout, [SELFTEST_DATABASE])
        asyncio.run(_measure(topic, records, batch_size, unnest, layout.root / "connect"))
    finally:
        if not keep:
            stop_kafka(layout)
            stop_postgres(layout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.connect", description=__doc__)
    parser.add_argument("--selftest", action="store_true", help="run the self-test")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument(
        "--unnest", action="store_true", help="dialect.postgres.unnest.insert.enabled=true"
    )
    parser.add_argument(
        "--keep-stack", action="store_true", help="leave the self-test's Kafka and PostgreSQL up"
    )
    args = parser.parse_args(argv)
    if not args.selftest:
        parser.print_help()
        return 2
    selftest(args.records, args.batch_size, args.unnest, args.keep_stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
