"""The Kafka broker and PostgreSQL server the integration and e2e tests run against.

In this order: servers named by environment variables; testcontainers when a Docker engine
answers; otherwise the local stack on its own ports and data directory (never the demo's).
"""

import asyncio
import contextlib
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from contracts.topics import all_topics
from huisacademie import stack
from huisacademie.stack import topics as stack_topics
from huisacademie.stack.databases import ROLES, Databases, ensure_roles, recreate_database
from huisacademie.stack.kafka_access import KafkaAccess, kafka_access, sign_in_as_operator
from huisacademie.stack.postgres import admin_url, postgres_passwords
from services.shared.db import create_pool, migrate, with_database
from services.shared.definition import ServiceDefinition, database_migrations

KAFKA_ENV = "HUISACADEMIE_TEST_KAFKA"
POSTGRES_ENV = "HUISACADEMIE_TEST_POSTGRES"
OIDC_ENV = "HUISACADEMIE_TEST_KEYCLOAK"
"""A Keycloak's base URL whose master realm's admin is admin/admin."""


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap: str
    postgres_url: str
    """A URL of the server's maintenance database; test databases are made beside it."""
    origin: str
    keycloak_url: str
    """The identity provider (Keycloak): realms for the tests are made in it."""
    database_passwords: Mapping[str, str]
    """Of the roles databases.ROLES (the migration role's, each service's)."""
    kafka_access: KafkaAccess | None = None
    """The services' Kafka principals (None: a broker without sign-in). The test process
    itself signs in as the operator (its environment's KAFKA_USERNAME and the like)."""

    def database_url(self, database: str) -> str:
        """A database as the administrator."""
        return with_database(self.postgres_url, database)

    def databases(self, prefix: str) -> Databases:
        """The services' databases and the directory, named with `prefix`."""
        return Databases.named(self.postgres_url, self.database_passwords, prefix)


def _docker_reachable() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def provide() -> Iterator[Infrastructure]:
    if all(os.environ.get(v) for v in (KAFKA_ENV, POSTGRES_ENV, OIDC_ENV)):
        postgres = os.environ[POSTGRES_ENV]
        yield Infrastructure(
            os.environ[KAFKA_ENV], postgres, "environment", os.environ[OIDC_ENV],
            _session_roles(postgres),
        )  # fmt: skip
    elif _docker_reachable():
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.community.keycloak import KeycloakContainer
        from testcontainers.community.postgres import PostgresContainer

        with (
            KafkaContainer().with_kraft() as kafka,
            PostgresContainer("postgres:16") as pg,
            KeycloakContainer(username="admin", password="admin") as keycloak,
        ):
            url = pg.get_connection_url(driver=None)
            yield Infrastructure(
                kafka.get_bootstrap_server(), url, "testcontainers", keycloak.get_url(),
                _session_roles(url),
            )  # fmt: skip
    else:
        layout = stack.test_layout()
        access = kafka_access()
        sign_in_as_operator(access)
        stack.ensure_postgres_installed()
        stack.start_postgres(layout)
        stack.ensure_kafka_jars()
        # Topics as empty as the databases: a rebuild replays only this session's events,
        # sealed with keys of this session's key store.
        stack.stop_kafka(layout)
        shutil.rmtree(layout.root / "kafka", ignore_errors=True)
        stack.start_kafka(layout, all_topics())
        stack.ensure_keycloak()
        keycloak_url = stack.start_keycloak(layout, layout.keycloak_port)
        try:
            yield Infrastructure(
                layout.kafka_bootstrap, admin_url(layout), "local", keycloak_url,
                postgres_passwords(), access,
            )  # fmt: skip
        finally:
            stack.stop_keycloak(layout)
            stack.stop_kafka(layout)
            stack.stop_postgres(layout)


def _session_roles(admin_url: str) -> dict[str, str]:
    """The roles of databases.ROLES on a server of someone else's, with passwords of this
    test session's."""
    passwords = {role: secrets.token_urlsafe(24) for role in ROLES}
    asyncio.run(ensure_roles(admin_url, passwords))
    return passwords


async def create_topics(bootstrap: str, topics: Sequence[tuple[str, int]]) -> None:
    """Create the topics and wait until every partition has a leader."""
    for _ in range(150):
        if await stack_topics.create_topics(bootstrap, dict(topics)):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"topics {topics}: not every partition has a leader after 30 s")


async def fresh_database(infra: Infrastructure, name: str) -> str:
    """Drop and create a database; returns its URL."""
    return await recreate_database(infra.postgres_url, name)


@contextlib.asynccontextmanager
async def service_database(
    infra: Infrastructure, name: str, definition: ServiceDefinition[Any], max_size: int = 20
) -> AsyncIterator[asyncpg.Pool]:
    """A fresh database with a service's migrations applied, and a pool on it."""
    url = await fresh_database(infra, name)
    await migrate(url, database_migrations(definition))
    pool = await create_pool(url, max_size=max_size)
    try:
        yield pool
    finally:
        await pool.close()
