"""A single-node Apache Kafka broker (KRaft, combined mode) run from Maven Central jars."""

from __future__ import annotations

import base64
import subprocess
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from huisacademie.stack.jars import ensure_kafka_jars, log4j2_config
from huisacademie.stack.layout import StackError, StackLayout
from huisacademie.stack.processes import (
    port_open,
    process_status,
    start_process,
    stop_process,
    wait_for_port,
)
from huisacademie.stack.topics import ensure_topics

KAFKA_PROCESS = "kafka"
START_TIMEOUT = 60.0

_LOG4J2_XML = log4j2_config(
    {
        "kafka.request.logger": "WARN",
        "state.change.logger": "WARN",
        "kafka.authorizer.logger": "WARN",
        "org.apache.kafka.controller": "INFO",
    }
)


def _kafka_dir(layout: StackLayout) -> Path:
    return layout.root / "kafka"


def _server_properties(layout: StackLayout) -> str:
    ctl = f"127.0.0.1:{layout.controller_port}"
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{ctl}",
        "listeners": f"PLAINTEXT://{layout.kafka_bootstrap},CONTROLLER://{ctl}",
        "advertised.listeners": f"PLAINTEXT://{layout.kafka_bootstrap}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(_kafka_dir(layout) / "data"),
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "10",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # After a kill -9 the restarted broker must wait out its old session: keep it short.
        "broker.heartbeat.interval.ms": "1000",
        "broker.session.timeout.ms": "3000",
        "log.cleaner.dedupe.buffer.size": str(8 * 1024 * 1024),
        "log.retention.hours": "168",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _java(libs: Path, layout: StackLayout, *args: str) -> list[str]:
    return [
        "java", "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
        "-cp", f"{libs}/*",
        f"-Dlog4j2.configurationFile={_kafka_dir(layout) / 'log4j2.xml'}",
        f"-Dkafka.logs.dir={layout.logs_dir}",
        *args,
    ]  # fmt: skip


def _cluster_id() -> str:
    """A Kafka ``Uuid`` string, as ``StorageTool random-uuid`` prints one (no leading '-')."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def _format_storage(libs: Path, layout: StackLayout, props: Path) -> None:
    if (_kafka_dir(layout) / "data" / "meta.properties").is_file():
        return
    cmd = _java(libs, layout, "kafka.tools.StorageTool", "format", "-t", _cluster_id(),
                "-c", str(props), "--ignore-formatted")  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackError(f"Kafka storage format failed:\n{done.stdout}{done.stderr}")


def start_kafka(layout: StackLayout, topics: Sequence[tuple[str, int]]) -> None:
    """Start the broker unless it runs already, then create missing ``(topic, partitions)``."""
    log = layout.logs_dir / f"{KAFKA_PROCESS}.log"
    deadline = time.monotonic() + START_TIMEOUT
    if process_status(KAFKA_PROCESS, layout) is None:
        if port_open("127.0.0.1", layout.kafka_port):
            raise StackError(f"port {layout.kafka_port} is taken by a process this stack "
                             "did not start")  # fmt: skip
        libs = ensure_kafka_jars()
        kdir = _kafka_dir(layout)
        kdir.mkdir(parents=True, exist_ok=True)
        layout.logs_dir.mkdir(parents=True, exist_ok=True)
        props = kdir / "server.properties"
        props.write_text(_server_properties(layout))
        (kdir / "log4j2.xml").write_text(_LOG4J2_XML)
        _format_storage(libs, layout, props)
        start_process(KAFKA_PROCESS, _java(libs, layout, "kafka.Kafka", str(props)), layout)
    try:
        wait_for_port("127.0.0.1", layout.kafka_port, max(1.0, deadline - time.monotonic()))
        ensure_topics(layout, topics, deadline, lambda: process_status(KAFKA_PROCESS, layout))
    except StackError as exc:
        raise StackError(f"Kafka did not become ready: {exc}; see {log}") from exc


def stop_kafka(layout: StackLayout) -> None:
    """SIGTERM the broker by its pid (SIGKILL after 30 s); harmless if it does not run."""
    stop_process(KAFKA_PROCESS, layout, timeout=30.0)
