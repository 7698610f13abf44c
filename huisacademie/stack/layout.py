"""Where the local stack keeps its data, logs and pid files, and on which ports it listens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SERVICES = ("catalogue", "enrollment", "portfolio", "subscriptions", "web")


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

    @property
    def keycloak_url(self) -> str:
        return f"http://127.0.0.1:{self.keycloak_port}"

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

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
