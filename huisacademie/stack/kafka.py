"""A single-node Apache Kafka broker (KRaft, combined mode) run from Maven Central jars.

Clients reach it over TLS with SASL/SCRAM-SHA-512, each as its own principal, and the
StandardAuthorizer allows each only what acls.py grants. The controller listener takes the
broker's own certificate only (mutual TLS): SCRAM cannot sign in a controller."""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from huisacademie.stack.acls import Grant, admin_client, ensure_credentials, grant, service_grants
from huisacademie.stack.jars import ensure_kafka_jars, log4j2_config
from huisacademie.stack.kafka_access import OPERATOR, KafkaAccess, kafka_access
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


def _server_properties(layout: StackLayout, access: KafkaAccess) -> str:
    ctl = f"127.0.0.1:{layout.controller_port}"
    operator = access.credentials(OPERATOR)
    scram = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
        f' username="{operator.username}" password="{operator.password}";'
    )
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{ctl}",
        "listeners": f"SASL_SSL://{layout.kafka_bootstrap},CONTROLLER://{ctl}",
        "advertised.listeners": f"SASL_SSL://{layout.kafka_bootstrap}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "SASL_SSL",
        "listener.security.protocol.map": "CONTROLLER:SSL,SASL_SSL:SASL_SSL",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": scram,
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(access.tls.broker),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(access.tls.ca),
        "listener.name.controller.ssl.client.auth": "required",
        # The certificate's subject CN=broker,O=... is the principal User:broker.
        "ssl.principal.mapping.rules": "RULE:^CN=([^,]+),.*$/$1/,DEFAULT",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:broker;User:{OPERATOR}",
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


def _format_storage(libs: Path, layout: StackLayout, props: Path, access: KafkaAccess) -> None:
    data, secured = _kafka_dir(layout) / "data", _kafka_dir(layout) / ".sasl"
    if (data / "meta.properties").is_file():
        if secured.is_file():
            return
        shutil.rmtree(data)  # formatted before the brokers required sign-in: made again
    cmd = _java(libs, layout, "kafka.tools.StorageTool", "format", "-t", _cluster_id(),
                "-c", str(props), "--ignore-formatted", *access.scram_arguments())  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackError(f"Kafka storage format failed:\n{done.stdout}{done.stderr}")
    secured.write_text("SCRAM credentials and TLS from .local/kafka-access\n")


def _service_grants() -> list[Grant]:
    from huisacademie.serve import SERVICES

    return [
        g
        for name, definition in SERVICES.items()
        for g in service_grants(name, [(s.group, s.topics) for s in definition.subscriptions])
    ]


def start_kafka(layout: StackLayout, topics: Sequence[tuple[str, int]]) -> None:
    """Start the broker unless it runs already, then create missing ``(topic, partitions)``
    and the services' ACLs."""
    access = kafka_access()
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
        props.write_text(_server_properties(layout, access))
        props.chmod(0o600)  # it holds the operator's password
        (kdir / "log4j2.xml").write_text(_LOG4J2_XML)
        _format_storage(libs, layout, props, access)
        start_process(KAFKA_PROCESS, _java(libs, layout, "kafka.Kafka", str(props)), layout)
    operator = access.credentials(OPERATOR)
    try:
        wait_for_port("127.0.0.1", layout.kafka_port, max(1.0, deadline - time.monotonic()))
        alive = lambda: process_status(KAFKA_PROCESS, layout)  # noqa: E731
        ensure_topics(layout, topics, deadline, alive, operator)
        admin = admin_client(layout.kafka_bootstrap, operator)
        ensure_credentials(admin, access.service_passwords())
        grant(admin, _service_grants())
    except StackError as exc:
        raise StackError(f"Kafka did not become ready: {exc}; see {log}") from exc


def stop_kafka(layout: StackLayout) -> None:
    """SIGTERM the broker by its pid (SIGKILL after 30 s); harmless if it does not run."""
    stop_process(KAFKA_PROCESS, layout, timeout=30.0)
