"""The brokers' access control lists, for the StandardAuthorizer: each service's principal
writes only its own topics and the dead-letter topics of what it consumes, and reads only
what it consumes, in its own consumer groups; an external tool's principal (`huisacademie
subscriber add`) reads the topics it was granted, in consumer groups under its own name.
Everything else is refused. Written with confluent-kafka's admin client (aiokafka has no
ACL or SCRAM administration)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from confluent_kafka import KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
)

from contracts.topics import EVENT_TOPICS, PRODUCERS, dead_letter
from services.shared.kafka_access import KafkaCredentials

TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Grant:
    """One line of the brokers' table: a principal may do these operations on a resource."""

    principal: str
    resource: ResourceType
    name: str
    operations: tuple[AclOperation, ...]
    prefixed: bool = False

    def bindings(self) -> list[AclBinding]:
        pattern = ResourcePatternType.PREFIXED if self.prefixed else ResourcePatternType.LITERAL
        return [
            AclBinding(
                self.resource,
                self.name,
                pattern,
                f"User:{self.principal}",
                "*",
                operation,
                AclPermissionType.ALLOW,
            )
            for operation in self.operations
        ]


READ = (AclOperation.READ, AclOperation.DESCRIBE)
WRITE = (AclOperation.WRITE, AclOperation.DESCRIBE)


def service_grants(service: str, subscriptions: Iterable[tuple[str, Iterable[str]]]) -> list[Grant]:
    """A service's principal: its topics and its subscriptions' (group, topics)."""
    grants = [
        Grant(service, ResourceType.TOPIC, topic, WRITE)
        for topic, producer in PRODUCERS.items()
        if producer == service
    ]
    for group, topics in subscriptions:
        grants.append(Grant(service, ResourceType.GROUP, group, READ))
        for topic in topics:
            grants.append(Grant(service, ResourceType.TOPIC, topic, READ))
            grants.append(Grant(service, ResourceType.TOPIC, dead_letter(topic), WRITE))
    # The outbox relay's producer is idempotent.
    grants.append(
        Grant(service, ResourceType.BROKER, "kafka-cluster", (AclOperation.IDEMPOTENT_WRITE,))
    )
    return grants


SUBSCRIBER_NAME = re.compile(r"[a-z][a-z0-9-]{1,62}")
RESERVED = frozenset(
    {"admin", "broker", "catalogue", "enrollment", "portfolio", "subscriptions", "web"}
)


def subscriber_grants(name: str, topics: Iterable[str]) -> list[Grant]:
    """An external tool: reads of the topics given, in consumer groups named after it."""
    if not SUBSCRIBER_NAME.fullmatch(name) or name in RESERVED:
        raise ValueError(
            f"{name!r}: a subscriber's name is lower-case letters, digits and dashes, and not"
            f" one of {', '.join(sorted(RESERVED))}"
        )
    unknown = sorted(set(topics) - set(EVENT_TOPICS))
    if unknown:
        raise ValueError(f"no such event topics: {', '.join(unknown)}")
    return [
        *(Grant(name, ResourceType.TOPIC, topic, READ) for topic in topics),
        Grant(name, ResourceType.GROUP, f"{name}.", READ, prefixed=True),
    ]


def admin_client(bootstrap: str, operator: KafkaCredentials) -> AdminClient:
    return AdminClient(
        {
            "bootstrap.servers": bootstrap,
            "security.protocol": "SASL_SSL",
            "sasl.mechanisms": "SCRAM-SHA-512",
            "sasl.username": operator.username,
            "sasl.password": operator.password,
            "ssl.ca.location": operator.ca_file,
        }
    )


def grant(admin: AdminClient, grants: Iterable[Grant]) -> None:
    """Create the ACLs (those that exist already are left as they are)."""
    bindings = [b for g in grants for b in g.bindings()]
    for future in admin.create_acls(bindings, request_timeout=TIMEOUT_S).values():
        future.result()


def ensure_credentials(admin: AdminClient, passwords: Mapping[str, str]) -> list[str]:
    """A SCRAM credential for each principal that has none yet (a service added since the
    broker's storage was formatted with the others'); returns the ones made."""
    missing = []
    described = admin.describe_user_scram_credentials(list(passwords), request_timeout=TIMEOUT_S)
    assert isinstance(described, dict)  # one future per user named
    for name, future in described.items():
        try:
            future.result()
        except KafkaException:
            missing.append(name)
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    upserts: list[UserScramCredentialAlteration] = [
        UserScramCredentialUpsertion(n, info, passwords[n].encode()) for n in missing
    ]
    if upserts:
        for done in admin.alter_user_scram_credentials(upserts, request_timeout=TIMEOUT_S).values():
            done.result()
    return missing


def add_subscriber(admin: AdminClient, name: str, password: str, topics: Iterable[str]) -> None:
    """A read-only principal for an external tool: its SCRAM credential and its ACLs."""
    grants = subscriber_grants(name, list(topics))
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    for future in admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(name, info, password.encode())], request_timeout=TIMEOUT_S
    ).values():
        future.result()
    grant(admin, grants)


def remove_subscriber(admin: AdminClient, name: str) -> int:
    """Revoke every ACL of the principal and replace its credential with a random one nobody
    holds; returns the ACLs gone. (Not deleted: on Kafka 4.4, once a SCRAM credential has
    been deleted, the brokers refuse every principal made at format after their next
    restart; seen here on the local stack.)"""
    subscriber_grants(name, [])  # the same names only: never a service's or the operator's
    everything = AclBindingFilter(
        ResourceType.ANY,
        None,  # type: ignore[arg-type]  # any resource name (the stubs say str)
        ResourcePatternType.ANY,
        f"User:{name}",
        None,  # type: ignore[arg-type]  # any host
        AclOperation.ANY,
        AclPermissionType.ANY,
    )
    removed = 0
    for future in admin.delete_acls([everything], request_timeout=TIMEOUT_S).values():
        removed += len(future.result())
    nobodys = secrets.token_bytes(32)
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    for future in admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(name, info, nobodys)], request_timeout=TIMEOUT_S
    ).values():
        future.result()
    return removed
