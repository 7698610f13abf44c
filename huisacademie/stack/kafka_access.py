"""Who may reach the local stack's brokers: a certificate authority and the brokers'
certificate (TLS), and a SCRAM-SHA-512 principal with a password of its own for the
operator's tools and for each service. Made once per checkout, in .local/kafka-access
(readable by its owner only), and shared by its stacks (demo, tests, fault runs, benchmarks)
so one process can reach any of them as the operator."""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from huisacademie.stack.layout import SERVICES
from huisacademie.stack.passwords import access_directory, ensure_passwords
from huisacademie.stack.tls import TlsFiles, ensure_tls
from services.shared.kafka_access import KafkaCredentials

OPERATOR = "admin"
"""The operator's tools: topic creation, ACLs, dead-letter replay, the rebuild, the tests'
reading of every topic. The brokers' only super user besides the brokers themselves."""
PRINCIPALS = (OPERATOR, *SERVICES)


@dataclass(frozen=True)
class KafkaAccess:
    directory: Path

    @property
    def tls(self) -> TlsFiles:
        return TlsFiles(self.directory)

    def _passwords(self) -> dict[str, str]:
        passwords: dict[str, str] = json.loads((self.directory / "passwords.json").read_text())
        return passwords

    def credentials(self, principal: str) -> KafkaCredentials:
        return KafkaCredentials(principal, self._passwords()[principal], str(self.tls.ca))

    def service_env(self, service: str) -> dict[str, str]:
        """A service's own principal, as its settings read it."""
        own = self.credentials(service)
        prefix = service.upper()
        return {
            f"{prefix}_KAFKA_USERNAME": own.username,
            f"{prefix}_KAFKA_PASSWORD": own.password,
            "KAFKA_CA_FILE": own.ca_file,
        }

    def client_properties(self, principal: str = OPERATOR) -> dict[str, str]:
        """A Java client's settings (Kafka's own tools, a Connect worker) for the principal."""
        own = self.credentials(principal)
        return {
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule"
            f' required username="{own.username}" password="{own.password}";',
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": own.ca_file,
        }

    def service_passwords(self) -> dict[str, str]:
        """Each service principal's password (not the operator's: the brokers' own)."""
        return {name: self.credentials(name).password for name in SERVICES}

    def scram_arguments(self) -> list[str]:
        """`kafka-storage format` arguments that create every principal's SCRAM credential."""
        return [
            argument
            for name, password in self._passwords().items()
            for argument in ("--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]")
        ]


def kafka_access() -> KafkaAccess:
    """The checkout's Kafka access material, made on first use."""
    directory = access_directory("kafka-access")
    with open(directory / ".lock-tls", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_tls(directory)
    ensure_passwords(directory, PRINCIPALS)
    return KafkaAccess(directory)


def sign_in_as_operator(access: KafkaAccess) -> None:
    """This process's Kafka clients sign in as the operator (unless told otherwise)."""
    for name, value in access.credentials(OPERATOR).env().items():
        os.environ.setdefault(name, value)
