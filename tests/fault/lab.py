"""A stack of the fault tests' own: Kafka, PostgreSQL and the services as processes they
kill, restart and signal. Never the demo's or the other tests' stack: those stay up."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import EVENT_TOPICS, all_topics
from huisacademie import stack
from huisacademie.serve import SERVICES as DEFINITIONS
from huisacademie.stack import StackLayout, repo_root
from huisacademie.stack.databases import Databases
from huisacademie.stack.kafka_access import kafka_access, sign_in_as_operator
from huisacademie.stack.processes import pid_alive
from huisacademie.system import SERVICES, keystore_env, without_credentials
from services.shared.failpoints import VARIABLE as FAILPOINTS
from services.shared.identity.tokens import TrustedIssuer
from services.shared.kafka_access import kafka_options, servers
from tests.support.people import People

LONG = os.environ.get("FAULT_LONG") == "1"

SUBSCRIPTIONS = [s for d in DEFINITIONS.values() for s in d.subscriptions]
"""Every consumer group of the three services, and the topics it reads."""
"""`make fault`: the long run, whose figures go to docs/reliability.md and .json."""

LAYOUT = StackLayout(
    root=repo_root() / ".local" / "fault",
    kafka_port=29092,
    controller_port=29093,
    pg_port=25433,
    keycloak_port=28090,
)
CLUSTER = replace(LAYOUT, brokers=3, proxied=True)
"""The cluster scenarios' (tests/fault/test_cluster.py): three Kafka nodes, each behind the
proxy that cuts it off (tests/fault/netsplit.py), beside the same PostgreSQL."""
NETSPLIT = "netsplit"
NETSPLIT_PORT = 29099
PORTS: Mapping[str, int] = {
    "catalogue": 28001, "enrollment": 28002, "portfolio": 28003, "subscriptions": 28004,
    "web": 28000,
}  # fmt: skip
SECOND_PORTS: Mapping[str, int] = {
    "catalogue": 28011, "enrollment": 28012, "portfolio": 28013, "subscriptions": 28014,
    "web": 28010,
}  # fmt: skip
THIRD_PORTS: Mapping[str, int] = {
    "catalogue": 28021, "enrollment": 28022, "portfolio": 28023, "subscriptions": 28024,
    "web": 28020,
}  # fmt: skip


@dataclass
class Instance:
    service: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Lab:
    """The processes of one fault test, and what happened to them."""

    databases: Databases
    """The services' databases and the directory; each service signs in as its own role."""
    issuers: tuple[TrustedIssuer, ...]
    people: People
    """Who signs in to send the load's commands."""
    failpoints: str = ""
    instances: dict[str, Instance] = field(default_factory=dict)
    deaths: Counter[str] = field(default_factory=Counter)
    """Deaths the supervisor saw and restarted: SIGKILLs from the test and failpoints."""
    held: set[str] = field(default_factory=set)
    """Processes the test stopped on purpose: the supervisor leaves them down."""

    layout: StackLayout = LAYOUT
    _supervisor: "asyncio.Task[None] | None" = None

    @property
    def database_urls(self) -> dict[str, str]:
        return self.databases.service_urls

    @property
    def kafka_bootstrap(self) -> str:
        return self.layout.kafka_bootstrap

    def url(self, service: str) -> str:
        return self.instances[service].url

    # --- services -------------------------------------------------------------------
    def add(self, name: str, service: str, port: int) -> None:
        self.instances[name] = Instance(service, port)

    def env(self, instance: Instance) -> dict[str, str]:
        prefix = instance.service.upper()
        env = {
            **without_credentials(os.environ),
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "LOG_JSON": "true",
            f"{prefix}_DATABASE_URL": self.databases.service_url(instance.service),
            "DIRECTORY_DATABASE_URL": self.databases.directory_url(instance.service),
            **keystore_env(self.databases, instance.service),
            "OIDC_ISSUERS": json.dumps([i.model_dump() for i in self.issuers]),
            **kafka_access().service_env(instance.service),
            f"{prefix}_HTTP_PORT": str(instance.port),
            FAILPOINTS: self.failpoints,
        }
        return env

    def start(self, name: str) -> int:
        instance = self.instances[name]
        argv = [sys.executable, "-m", "huisacademie", "serve", instance.service]
        self.held.discard(name)
        return stack.start_process(name, argv, self.layout, env=self.env(instance))

    def pid(self, name: str) -> int | None:
        return stack.process_status(name, self.layout)

    def kill(self, name: str) -> bool:
        """kill -9; the supervisor restarts it and counts the death. False when it was not
        running (between a death and its restart)."""
        pid = self.pid(name)
        if pid is None:
            return False
        os.kill(pid, signal.SIGKILL)
        return True

    def terminate(self, name: str, timeout: float = 60.0) -> float:
        """SIGTERM and wait for the exit; returns the seconds it took. Left down."""
        pid = self.pid(name)
        assert pid is not None, f"{name} is not running"
        self.held.add(name)
        began = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        while pid_alive(pid):
            if time.monotonic() - began > timeout:
                raise AssertionError(f"{name} did not exit within {timeout} s of SIGTERM")
            time.sleep(0.05)
        return time.monotonic() - began

    def stop_all(self) -> None:
        self.held.update(self.instances)
        for name in self.instances:
            stack.stop_process(name, self.layout, timeout=30)

    def supervise(self) -> None:
        """Restart any service process that dies, as systemd would (Restart=always), from
        now until the test ends."""
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._supervise())

    async def _supervise(self) -> None:
        while True:
            for name in self.instances:
                if name not in self.held and self.pid(name) is None:
                    self.deaths[name] += 1
                    self.start(name)
            await asyncio.sleep(0.1)

    async def stop_supervising(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None

    # --- infrastructure ---------------------------------------------------------------
    def kill_kafka(self) -> None:
        pid = stack.process_status("kafka", self.layout)
        assert pid is not None, "Kafka is not running"
        os.kill(pid, signal.SIGKILL)
        while pid_alive(pid):
            time.sleep(0.05)

    def start_kafka(self) -> None:
        stack.start_kafka(self.layout, all_topics())

    # --- a cluster's nodes ------------------------------------------------------------
    def kill_node(self, node: int) -> None:
        """kill -9 one node of the cluster and wait until it is gone."""
        pid = stack.process_status(f"kafka-{node}", self.layout)
        assert pid is not None, f"Kafka node {node} is not running"
        os.kill(pid, signal.SIGKILL)
        while pid_alive(pid):
            time.sleep(0.05)

    def restart_node(self, node: int) -> None:
        """Start a killed node again and wait until it listens (it catches up on its own)."""
        started = next(n for n in self.layout.kafka_nodes if n.id == node)
        stack.start_node(self.layout, started)
        stack.wait_for_port("127.0.0.1", started.port, 120)

    def active_controller(self) -> int:
        """The node that leads the metadata quorum, as the voters last wrote it down
        (each keeps the leader it knows in quorum-state; the newest epoch's is current)."""
        known: list[tuple[int, int]] = []
        for node in self.layout.kafka_nodes:
            state = self.layout.root / "kafka" / f"node-{node.id}" / "__cluster_metadata-0"
            with contextlib.suppress(OSError, ValueError):
                quorum = json.loads((state / "quorum-state").read_text())
                if quorum.get("leaderId", -1) >= 0:
                    known.append((quorum["leaderEpoch"], quorum["leaderId"]))
        assert known, "no node knows the quorum's leader"
        return max(known)[1]

    async def cut(self, node: int) -> None:
        """Partition `node` from the other nodes and from every client (netsplit.py)."""
        await _netsplit(f"cut {node}")

    async def heal(self) -> None:
        await _netsplit("heal")

    def restart_postgres(self) -> None:
        stack.stop_postgres(self.layout)
        stack.start_postgres(self.layout)


def fresh_kafka() -> None:
    """A broker with empty logs: no test sees another's events or consumer offsets."""
    stop_cluster()
    stack.stop_kafka(LAYOUT)
    shutil.rmtree(LAYOUT.root / "kafka", ignore_errors=True)
    stack.start_kafka(LAYOUT, all_topics())


def fresh_cluster() -> None:
    """Three nodes with empty logs, each behind the partitioning proxy."""
    stack.stop_kafka(LAYOUT)
    stack.stop_kafka(CLUSTER)
    shutil.rmtree(CLUSTER.root / "kafka", ignore_errors=True)
    stack.stop_process(NETSPLIT, CLUSTER)  # one left by an interrupted run, maybe cutting
    argv = [sys.executable, "-m", "tests.fault.netsplit", str(NETSPLIT_PORT)]
    stack.start_process(NETSPLIT, argv, CLUSTER, cwd=repo_root())
    stack.wait_for_port("127.0.0.1", NETSPLIT_PORT, 30)
    stack.start_kafka(CLUSTER, all_topics())


def stop_cluster() -> None:
    stack.stop_kafka(CLUSTER)
    stack.stop_process(NETSPLIT, CLUSTER)


async def _netsplit(command: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", NETSPLIT_PORT)
    try:
        writer.write(f"{command}\n".encode())
        await writer.drain()
        assert await reader.readline() == b"ok\n", f"netsplit did not take {command!r}"
    finally:
        writer.close()


async def partitions(bootstrap: str, topics: list[str]) -> list[dict[str, Any]]:
    """Every partition of `topics` as the cluster's metadata has it: leader, replicas, isr."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=servers(bootstrap), request_timeout_ms=5000, **kafka_options()
    )
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [p for t in described for p in t["partitions"]]


async def busiest_leader(bootstrap: str, topic: str) -> int:
    """The node that leads the most partitions of `topic`."""
    leaders = Counter(p["leader"] for p in await partitions(bootstrap, [topic]) if p["leader"] >= 0)
    return int(leaders.most_common(1)[0][0])


async def until(what: str, done: Callable[[], Awaitable[bool]], within: float) -> float:
    """Ask `done` every half second until it says yes; the seconds it took. Metadata asked of
    a cluster in the middle of a fault may fail: that is a no."""
    began = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if await done():
                return time.monotonic() - began
        if time.monotonic() - began > within:
            raise AssertionError(f"{what}: not so after {within:.0f} s")
        await asyncio.sleep(0.5)


async def leads_nothing(bootstrap: str, node: int) -> bool:
    """No partition of the event topics has `node` for its leader any more."""
    return all(p["leader"] != node for p in await partitions(bootstrap, list(EVENT_TOPICS)))


async def in_sync(bootstrap: str) -> bool:
    """Every replica of every event topic's partitions is in sync (the cluster whole again)."""
    return all(
        set(p["isr"]) == set(p["replicas"]) for p in await partitions(bootstrap, list(EVENT_TOPICS))
    )


def start_infrastructure() -> str:
    """PostgreSQL and the identity provider (Kafka starts fresh for each test); returns the
    identity provider's address."""
    sign_in_as_operator(kafka_access())
    stack.ensure_postgres_installed()
    stack.start_postgres(LAYOUT)
    stack.ensure_kafka_jars()
    stack.ensure_keycloak()
    return stack.start_keycloak(LAYOUT, LAYOUT.keycloak_port)


def stop_infrastructure() -> None:
    stack.stop_keycloak(LAYOUT)
    stop_cluster()
    stack.stop_kafka(LAYOUT)
    stack.stop_postgres(LAYOUT)


def first_instances(lab: Lab) -> None:
    for service in SERVICES:
        lab.add(service, service, PORTS[service])


async def consumer_lag(bootstrap: str) -> int:
    """Records of the event topics not yet committed by the services' consumer groups: every
    group of every subscription, on every partition of its topics; a group that has not
    joined yet, or has not committed on a partition, counts from the partition's start."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=servers(bootstrap), request_timeout_ms=5000, **kafka_options()
    )
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers(bootstrap), request_timeout_ms=5000, **kafka_options()
    )
    await admin.start()
    await consumer.start()
    try:
        total = 0
        for subscription in SUBSCRIPTIONS:
            committed = await admin.list_consumer_group_offsets(subscription.group)
            partitions = [
                TopicPartition(t, p)
                for t in subscription.topics
                for p in consumer.partitions_for_topic(t) or await _partitions(consumer, t)
            ]
            ends = await consumer.end_offsets(partitions)
            for tp, end in ends.items():
                meta = committed.get(tp)
                total += end - (meta.offset if meta is not None and meta.offset >= 0 else 0)
        return total
    finally:
        await consumer.stop()
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()
