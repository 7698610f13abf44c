"""The benchmarks' own Kafka, PostgreSQL and Keycloak (never the demo's or the tests'), and
fresh topics, databases and an identity provider's realm for each measurement."""

import asyncio
import shutil
from dataclasses import dataclass

import asyncpg

from contracts.topics import all_topics
from huisacademie import identity as realms
from huisacademie import migrate, stack
from huisacademie.oidc import Keycloak
from huisacademie.stack import StackLayout, repo_root
from huisacademie.stack import topics as stack_topics
from huisacademie.stack.databases import DIRECTORY, Databases, recreate_database
from huisacademie.stack.kafka_access import kafka_access, sign_in_as_operator
from huisacademie.stack.keycloak import KEYCLOAK_PROCESS
from huisacademie.stack.postgres import admin_url, local_databases
from services.shared.identity.tokens import TrustedIssuer

LAYOUT = StackLayout(
    root=repo_root() / ".local" / "bench",
    kafka_port=49092,
    controller_port=49093,
    pg_port=45433,
    keycloak_port=48090,
)
BOOTSTRAP = LAYOUT.kafka_bootstrap
REALM = "bench"
"""The benchmarks' people sign in here: a federation-like issuer (no board of its own), each
board's people placed on their board by the directory."""


def start(*, keycloak: bool = True) -> None:
    """A broker with empty logs (nothing left from an earlier run), PostgreSQL, and Keycloak
    (with an empty database of its own when it is not running yet)."""
    sign_in_as_operator(kafka_access())
    stack.ensure_postgres_installed()
    start_postgres(LAYOUT)
    stack.ensure_kafka_jars()
    stack.stop_kafka(LAYOUT)
    shutil.rmtree(LAYOUT.root / "kafka", ignore_errors=True)
    stack.start_kafka(LAYOUT, all_topics())
    if not keycloak:
        return
    stack.ensure_keycloak()
    if stack.process_status(KEYCLOAK_PROCESS, LAYOUT) is None:
        # An earlier run's users and sessions would only slow this one down.
        shutil.rmtree(LAYOUT.root / "keycloak", ignore_errors=True)
    stack.start_keycloak(LAYOUT, LAYOUT.keycloak_port)


def start_postgres(layout: StackLayout, databases: list[str] | None = None) -> None:
    """The cluster of `layout`, keeping each transaction's commit time: the benchmarks read
    when their rows landed from the data (bench/landed.py). Turned on, with a restart, when
    it is off."""
    stack.start_postgres(layout, databases or [])
    if asyncio.run(_commit_times_off(layout)):
        stack.stop_postgres(layout)
        stack.start_postgres(layout, databases or [])


async def _commit_times_off(layout: StackLayout) -> bool:
    conn = await asyncpg.connect(admin_url(layout))
    try:
        if await conn.fetchval("SHOW track_commit_timestamp") == "on":
            return False
        await conn.execute("ALTER SYSTEM SET track_commit_timestamp = on")
        return True
    finally:
        await conn.close()


def stop() -> None:
    stack.stop_keycloak(LAYOUT)
    stack.stop_kafka(LAYOUT)
    stack.stop_postgres(LAYOUT)


async def topic(name: str, partitions: int = 6) -> str:
    for _ in range(150):
        if await stack_topics.create_topics(BOOTSTRAP, {name: partitions}):
            return name
        await asyncio.sleep(0.2)
    raise RuntimeError(f"topic {name}: no leader for every partition")


async def fresh_database(name: str) -> str:
    """A database owned by the administrator (a benchmark of one part, in process)."""
    return await recreate_database(admin_url(LAYOUT), name)


def databases() -> Databases:
    """The services' databases and the directory, for the benchmarks that run the services."""
    return local_databases(LAYOUT, "bench_")


@dataclass(frozen=True)
class Identity:
    """Who signs in for the benchmarks: a realm of the bench's Keycloak, and the directory
    that says who its users are."""

    keycloak_url: str
    realm: str
    issuer: str
    """As the realm's tokens carry it in `iss`."""
    directory_url: str

    @property
    def trusted(self) -> TrustedIssuer:
        """The realm as the services trust it: no boards, the directory names each one's."""
        return TrustedIssuer(issuer=self.issuer)

    def keycloak(self) -> Keycloak:
        """An admin client of the bench's Keycloak (close it after use)."""
        return Keycloak(self.keycloak_url, timeout=120.0)


async def identity() -> Identity:
    """A fresh bench realm (huisacademie.identity.realm) and fresh, migrated databases of the
    services and the directory."""
    url = LAYOUT.keycloak_url

    def fresh_realm() -> str:
        with Keycloak(url, timeout=120.0) as keycloak:
            keycloak.delete_realm(REALM)
            keycloak.ensure_realm(realms.realm(REALM))
            return keycloak.issuer(REALM)

    issuer = await asyncio.to_thread(fresh_realm)
    made = databases()
    await migrate.prepare(made, fresh=True)
    return Identity(url, REALM, issuer, made.migration_url(DIRECTORY))
