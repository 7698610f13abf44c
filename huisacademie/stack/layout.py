"""Where the local stack keeps its data, logs and pid files, and on which ports it listens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SERVICES = ("catalogue", "enrollment", "portfolio", "subscriptions", "web")


PROXY_SHIFT = 50


@dataclass(frozen=True)
class KafkaNode:
    """One Kafka node of the stack: where it listens, and where the others reach it."""

    id: int
    process: str
    port: int
    controller_port: int
    advertised_port: int
    advertised_controller_port: int


class StackError(RuntimeError):
    """The local infrastructure stack could not be brought into the requested state."""


@dataclass(frozen=True)
class StackLayout:
    """Data directory and ports of one local Kafka + PostgreSQL stack."""

    root: Path
    kafka_port: int = 9092
    controller_port: int = 9093
    pg_port: int = 5433
    keycloak_port: int = 8090
    smtp_port: int = 1025
    """The mail catcher's (huisacademie/stack/mail.py)."""
    lrs_port: int = 8100
    """The learning record store's (huisacademie/stack/lrs.py)."""
    receiver_port: int = 8099
    """The demo's webhook receiver's (docs/examples/webhook_receiver.py)."""
    brokers: int = 1
    """Kafka nodes: 1, or a cluster of 3 (each a controller and a broker, KRaft)."""
    proxied: bool = False
    """Every Kafka listener behind a TCP proxy of the fault tests' own (tests/fault/netsplit.py),
    which can cut one node off from the others and from the clients."""

    @property
    def kafka_nodes(self) -> tuple[KafkaNode, ...]:
        """Node i+1 listens 100 ports above node i; behind proxies, 50 above where the
        others reach it (its advertised address, where the proxy listens)."""
        shift = PROXY_SHIFT if self.proxied else 0
        return tuple(
            KafkaNode(
                id=i + 1,
                process="kafka" if self.brokers == 1 else f"kafka-{i + 1}",
                advertised_port=self.kafka_port + 100 * i,
                advertised_controller_port=self.controller_port + 100 * i,
                port=self.kafka_port + 100 * i + shift,
                controller_port=self.controller_port + 100 * i + shift,
            )
            for i in range(self.brokers)
        )

    @property
    def replication(self) -> int:
        """Each partition's replicas: every node's, up to 3."""
        return min(self.brokers, 3)

    @property
    def keycloak_url(self) -> str:
        return f"http://127.0.0.1:{self.keycloak_port}"

    @property
    def kafka_bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{n.advertised_port}" for n in self.kafka_nodes)

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"


def repo_root() -> Path:
    """The checkout this package lives in (``huisacademie/stack/layout.py`` -> repo)."""
    return Path(__file__).resolve().parents[2]


def demo_layout() -> StackLayout:
    return StackLayout(root=repo_root() / ".local")


def test_layout() -> StackLayout:
    return StackLayout(
        root=repo_root() / ".local" / "test",
        kafka_port=19092,
        controller_port=19093,
        pg_port=15433,
        keycloak_port=18090,
        smtp_port=11025,
        lrs_port=18100,
        receiver_port=18099,
    )


# The name starts with "test": keep pytest from collecting it where a test module imports it.
test_layout.__test__ = False  # type: ignore[attr-defined]
