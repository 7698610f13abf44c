"""How a process signs in to Kafka: TLS (trusting one CA) and SASL/SCRAM-SHA-512 as its own
principal, or plaintext where no credentials are configured (a test broker without
authentication). One place builds the options every Kafka client takes."""

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLScram512

PRODUCER: dict[str, Any] = {
    "enable_idempotence": True,
    "acks": "all",
    "linger_ms": 0,
    "max_batch_size": 16 * 1024,
}
"""How every service's producer sends (the relay's and the dead letters'): idempotent,
acknowledged by every in-sync replica; batch and linger are aiokafka's defaults. The
benchmarks' reference producer sends with the same."""
CLIENT: dict[str, Any] = {"metadata_max_age_ms": 10_000}
"""What every service's Kafka clients share. Metadata at most 10 s old (aiokafka's default: 5
minutes): when a leader moves (a broker lost, a partition healed), aiokafka's fetcher asks the
old leader for a partition's offsets again and again without refreshing its metadata, and a
consumer would stall until it aged out (seen in tests/fault/test_cluster.py)."""
MECHANISM = "SCRAM-SHA-512"
USERNAME, PASSWORD, CA_FILE = "KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_CA_FILE"
"""The environment variables of a process's own principal (the command line and the tests
sign in as the operator's; each service reads <SERVICE>_KAFKA_USERNAME and _PASSWORD)."""


@dataclass(frozen=True)
class KafkaCredentials:
    """A Kafka principal: its SCRAM username and password, and the CA the broker's
    certificate is checked against."""

    username: str
    password: str
    ca_file: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "KafkaCredentials | None":
        if not all(env.get(name) for name in (USERNAME, PASSWORD, CA_FILE)):
            return None
        return cls(env[USERNAME], env[PASSWORD], env[CA_FILE])

    def env(self) -> dict[str, str]:
        return {USERNAME: self.username, PASSWORD: self.password, CA_FILE: self.ca_file}

    def ssl_context(self) -> ssl.SSLContext:
        context: ssl.SSLContext = create_ssl_context(cafile=self.ca_file)
        return context

    def security(self) -> BaseSecurity:
        """FastStream's form."""
        return SASLScram512(
            username=self.username, password=self.password, ssl_context=self.ssl_context()
        )


def servers(bootstrap: str) -> list[str]:
    """A comma-separated bootstrap list (``KAFKA_BOOTSTRAP_SERVERS``) as aiokafka wants it: it
    takes a string for one address only."""
    return [address.strip() for address in bootstrap.split(",") if address.strip()]


def kafka_options(credentials: KafkaCredentials | None = None) -> dict[str, Any]:
    """aiokafka's keyword arguments for the principal (by default the process's own, from
    its environment): none at all for a broker without authentication."""
    signed = credentials or KafkaCredentials.from_env()
    if signed is None:
        return {}
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": MECHANISM,
        "sasl_plain_username": signed.username,
        "sasl_plain_password": signed.password,
        "ssl_context": signed.ssl_context(),
    }


def kafka_security(credentials: KafkaCredentials | None = None) -> BaseSecurity | None:
    """FastStream's security for the principal (by default the process's own)."""
    signed = credentials or KafkaCredentials.from_env()
    return None if signed is None else signed.security()
