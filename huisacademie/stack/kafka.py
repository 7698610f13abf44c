"""A single-node Apache Kafka broker (KRaft, combined mode) run from Maven Central jars.

Clients reach it over TLS with SASL/SCRAM-SHA-512, each as its own principal, and the
StandardAuthorizer allows each only what acls.py grants. The controller listener takes the
broker's own certificate only (mutual TLS): SCRAM cannot sign in a controller."""

from __future__ import annotations

import base64
import concurrent.futures
import shutil
import subprocess
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from huisacademie.stack.acls import Grant, admin_client, ensure_credentials, grant, service_grants
from huisacademie.stack.jars import ensure_kafka_jars, log4j2_config
from huisacademie.stack.kafka_access import OPERATOR, KafkaAccess, kafka_access
from huisacademie.stack.layout import KafkaNode, StackError, StackLayout
from huisacademie.stack.processes import (
    port_open,
    process_status,
    start_process,
    stop_process,
    wait_for_port,
)
from huisacademie.stack.topics import ensure_topics

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


def _node_dir(layout: StackLayout, node: KafkaNode) -> Path:
    """A single node keeps the data directory it always had; a cluster's nodes one each."""
    return _kafka_dir(layout) / ("data" if layout.brokers == 1 else f"node-{node.id}")


def _server_properties(layout: StackLayout, node: KafkaNode, access: KafkaAccess) -> str:
    voters = ",".join(
        f"{n.id}@127.0.0.1:{n.advertised_controller_port}" for n in layout.kafka_nodes
    )
    replicas, min_isr = layout.replication, min(layout.replication, 2)
    operator = access.credentials(OPERATOR)
    scram = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
        f' username="{operator.username}" password="{operator.password}";'
    )
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(node.id),
        "controller.quorum.voters": voters,
        "listeners": f"SASL_SSL://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
        "advertised.listeners": f"SASL_SSL://127.0.0.1:{node.advertised_port}",
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
        "log.dirs": str(_node_dir(layout, node)),
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
        "default.replication.factor": str(replicas),
        "min.insync.replicas": str(min_isr),
        # A replica that was not in sync never becomes leader: no acknowledged write is lost.
        "unclean.leader.election.enable": "false",
        "offsets.topic.replication.factor": str(replicas),
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": str(replicas),
        "transaction.state.log.min.isr": str(min_isr),
        "transaction.state.log.num.partitions": "10",
        "share.coordinator.state.topic.replication.factor": str(replicas),
        "share.coordinator.state.topic.min.isr": str(min_isr),
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


def _cluster_id_of(layout: StackLayout) -> str:
    """One id for every node of the stack's cluster, kept beside their data."""
    kept = _kafka_dir(layout) / "cluster-id"
    if not kept.is_file():
        kept.write_text(_cluster_id())
    return kept.read_text().strip()


def _format_storage(
    libs: Path, layout: StackLayout, node: KafkaNode, props: Path, access: KafkaAccess
) -> None:
    data = _node_dir(layout, node)
    secured = data.with_name(f".sasl-{data.name}") if layout.brokers > 1 else data.parent / ".sasl"
    if (data / "meta.properties").is_file():
        if secured.is_file():
            return
        shutil.rmtree(data)  # formatted before the brokers required sign-in: made again
    cmd = _java(libs, layout, "kafka.tools.StorageTool", "format", "-t", _cluster_id_of(layout),
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
    """Start every node that does not run already, then create missing ``(topic,
    partitions)`` (replicated on every node, up to 3) and the services' ACLs."""
    access = kafka_access()
    deadline = time.monotonic() + START_TIMEOUT
    for node in layout.kafka_nodes:
        start_node(layout, node, access)
    operator = access.credentials(OPERATOR)
    logs = ", ".join(str(layout.logs_dir / f"{n.process}.log") for n in layout.kafka_nodes)
    try:
        for node in layout.kafka_nodes:
            wait_for_port("127.0.0.1", node.port, max(1.0, deadline - time.monotonic()))
        ensure_topics(layout, topics, deadline, lambda: _all_alive(layout), operator)
        admin = admin_client(layout.kafka_bootstrap, operator)
        ensure_credentials(admin, access.service_passwords())
        grant(admin, _service_grants())
    except StackError as exc:
        raise StackError(f"Kafka did not become ready: {exc}; see {logs}") from exc


def start_node(layout: StackLayout, node: KafkaNode, access: KafkaAccess | None = None) -> None:
    """Start one node of the stack's Kafka unless it runs (its configuration written anew)."""
    if process_status(node.process, layout) is not None:
        return
    if port_open("127.0.0.1", node.port):
        raise StackError(f"port {node.port} is taken by a process this stack did not start")
    access = access or kafka_access()
    libs = ensure_kafka_jars()
    kdir = _kafka_dir(layout)
    kdir.mkdir(parents=True, exist_ok=True)
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    props = kdir / ("server.properties" if layout.brokers == 1 else f"{node.process}.properties")
    props.write_text(_server_properties(layout, node, access))
    props.chmod(0o600)  # it holds the operator's password
    (kdir / "log4j2.xml").write_text(_LOG4J2_XML)
    _format_storage(libs, layout, node, props, access)
    start_process(node.process, _java(libs, layout, "kafka.Kafka", str(props)), layout)


def _all_alive(layout: StackLayout) -> int | None:
    """A pid while every node runs; None once one has exited."""
    pids = [process_status(n.process, layout) for n in layout.kafka_nodes]
    return None if None in pids else pids[0]


def stop_kafka(layout: StackLayout) -> None:
    """SIGTERM every node by its pid (SIGKILL after 30 s); harmless if none runs. A cluster's
    nodes all at once: the last one left alone would wait out its controlled shutdown for
    want of a quorum."""
    nodes = layout.kafka_nodes
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        for stopped in [pool.submit(stop_process, n.process, layout, 30.0) for n in nodes]:
            stopped.result()
