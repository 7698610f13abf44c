"""Each service signs in to PostgreSQL as a role of its own that reads and writes rows and
changes no schema; the migration role owns the schemas; a service waits for `huisacademie
migrate` rather than migrating itself."""

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from huisacademie import migrate
from huisacademie.stack.databases import (
    MIGRATOR,
    ROLES,
    Databases,
    create_databases,
    recreate_database,
)
from services.catalogue.app import DEFINITION as CATALOGUE
from services.enrollment.app import DEFINITION as ENROLLMENT
from services.shared.db import PrivilegesLeft
from services.shared.db import migrate as db_migrate
from services.shared.definition import database_migrations
from services.shared.runtime import run_service
from tests.support.infra import Infrastructure
from tests.support.kafka import eventually

INSUFFICIENT_PRIVILEGE = "42501"

# What a running service must never do to its own database.
SCHEMA_CHANGES = [
    "CREATE TABLE intruder (a int)",
    "CREATE TEMP TABLE intruder (a int)",
    "CREATE SCHEMA intruder",
    "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE VIEW intruder AS SELECT 1",
    "ALTER TABLE enrollments ADD COLUMN intruder int",
    "ALTER TABLE enrollments DISABLE TRIGGER ALL",
    "CREATE INDEX intruder ON enrollments (status)",
    "DROP TABLE enrollments",
    "TRUNCATE outbox",
    "INSERT INTO schema_migrations (name) VALUES ('intruder')",
    "DELETE FROM schema_migrations",
]


@pytest.fixture(scope="module")
async def databases(infrastructure: Infrastructure) -> Databases:
    made = infrastructure.databases("roles_")
    await migrate.prepare(made, fresh=True)
    return made


async def _refused(url: str, sql: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    except asyncpg.PostgresError as e:
        assert e.sqlstate == INSUFFICIENT_PRIVILEGE, f"{sql}: {e!r}"
        return True
    finally:
        await conn.close()
    return False


async def test_a_service_changes_rows_of_its_own_database_and_no_schema(
    databases: Databases,
) -> None:
    own = databases.service_url("enrollment")
    conn = await asyncpg.connect(own)
    try:
        # Its rows it reads and writes (privileges are checked even when no row matches).
        async with conn.transaction():
            await conn.execute("UPDATE enrollments SET status = status WHERE false")
            await conn.execute("DELETE FROM outbox WHERE false")
            assert await conn.fetchval("SELECT count(*) FROM schema_migrations") > 0
    finally:
        await conn.close()
    refused = [sql for sql in SCHEMA_CHANGES if await _refused(own, sql)]
    assert refused == SCHEMA_CHANGES


async def test_the_migration_role_owns_the_schema(databases: Databases) -> None:
    conn = await asyncpg.connect(databases.migration_url("enrollment"))
    try:
        owners = await conn.fetch(
            "SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace"
        )
        assert [r["owner"] for r in owners] == [MIGRATOR]
        change = conn.transaction()  # it may change the schema (rolled back here)
        await change.start()
        await conn.execute("ALTER TABLE enrollments ADD COLUMN allowed int")
        await change.rollback()
    finally:
        await conn.close()


async def test_a_service_reads_the_directory_and_writes_nothing_there(
    databases: Databases,
) -> None:
    conn = await asyncpg.connect(databases.directory_url("portfolio"))
    try:
        assert await conn.fetchval("SELECT count(*) FROM people") == 0
    finally:
        await conn.close()
    insert = (
        "INSERT INTO people (staff_id, board_id, name)"
        " VALUES (gen_random_uuid(), gen_random_uuid(), 'Intruder')"
    )
    assert await _refused(databases.directory_url("portfolio"), insert)
    assert await _refused(databases.directory_url("portfolio"), "UPDATE people SET roles = '{}'")
    # Only the portfolio, where people are erased, may delete them from it (their sign-ins
    # go with them), and nothing else.
    assert await _refused(databases.directory_url("portfolio"), "DELETE FROM sign_ins")
    assert await _refused(databases.directory_url("portfolio"), "DELETE FROM clients")
    assert await _refused(databases.directory_url("enrollment"), "DELETE FROM sign_ins")
    assert await _refused(databases.directory_url("catalogue"), "DELETE FROM people")


async def test_a_service_cannot_reach_another_services_database(databases: Databases) -> None:
    with pytest.raises(asyncpg.PostgresError) as refused:
        await asyncpg.connect(databases.url("enrollment", databases.names["portfolio"]))
    assert refused.value.sqlstate == INSUFFICIENT_PRIVILEGE


async def test_roles_sign_in_with_scram_passwords_only(
    databases: Databases, infrastructure: Infrastructure
) -> None:
    admin = await asyncpg.connect(infrastructure.postgres_url)
    try:
        verifiers = await admin.fetch(
            "SELECT rolname, rolpassword, rolsuper, rolcreatedb, rolcreaterole FROM pg_authid"
            " WHERE rolname = ANY($1::text[])",
            list(ROLES),
        )
    finally:
        await admin.close()
    assert {r["rolname"] for r in verifiers} == set(ROLES)
    for r in verifiers:
        assert r["rolpassword"].startswith("SCRAM-SHA-256$"), r["rolname"]
        assert not (r["rolsuper"] or r["rolcreatedb"] or r["rolcreaterole"]), r["rolname"]
    if infrastructure.origin == "environment":
        return  # how someone else's server authenticates is theirs to say
    wrong = Databases(databases.admin_url, {**databases.passwords, "catalogue": "wrong"}, {})
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(wrong.url("catalogue", databases.names["catalogue"]))


@pytest.fixture
async def unmigrated(infrastructure: Infrastructure) -> AsyncIterator[Databases]:
    made = infrastructure.databases("unmigrated_")
    await create_databases(made, fresh=True, which=["catalogue"])
    yield made


async def test_a_service_waits_for_its_migrations_and_never_applies_them(
    unmigrated: Databases,
) -> None:
    settings = CATALOGUE.settings(
        database_url=unmigrated.service_url("catalogue"),
        KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1",  # no broker: only the database matters here
    )
    async with run_service(CATALOGUE, settings) as runtime:

        async def database_state() -> Any:
            report = await runtime.health()
            return report["database"] if "lacks migrations" in report["database"] else None

        waiting = await eventually(database_state)
        assert "catalogue/001" in waiting and "huisacademie migrate" in waiting
        await migrate.prepare(unmigrated, fresh=False, which=["catalogue"])

        async def database_ok() -> bool:
            report = await runtime.health()
            return bool(report["database"] == "ok")

        assert await eventually(database_ok, within=30)


async def test_a_role_given_more_than_its_rows_is_refused_at_migration(
    infrastructure: Infrastructure,
) -> None:
    made = infrastructure.databases("overgranted_")
    await migrate.prepare(made, fresh=True, which=["catalogue"])
    admin = await asyncpg.connect(made.url_as_admin(made.names["catalogue"]))
    try:
        await admin.execute(f'GRANT CREATE ON DATABASE "{made.names["catalogue"]}" TO catalogue')
    finally:
        await admin.close()
    with pytest.raises(PrivilegesLeft, match="catalogue may still change the schema"):
        await migrate.prepare(made, fresh=False, which=["catalogue"])


async def test_a_database_made_before_the_roles_is_handed_over_with_its_data(
    infrastructure: Infrastructure,
) -> None:
    made = infrastructure.databases("handover_")
    # As the local stack made it before: owned by the administrator, migrated by it.
    url = await recreate_database(infrastructure.postgres_url, made.names["enrollment"])
    await db_migrate(url, database_migrations(ENROLLMENT))
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(
            "INSERT INTO outbox (event_id, topic, key, headers, payload)"
            " VALUES (gen_random_uuid(), 't', 'k', '{}', 'kept')"
        )
    finally:
        await admin.close()

    await migrate.prepare(made, fresh=False, which=["enrollment"])

    own = await asyncpg.connect(made.service_url("enrollment"))
    try:
        assert await own.fetchval("SELECT count(*) FROM outbox WHERE payload = 'kept'") == 1
    finally:
        await own.close()
    assert await _refused(made.service_url("enrollment"), "ALTER TABLE outbox ADD COLUMN x int")
    owner = await asyncpg.connect(made.migration_url("enrollment"))
    try:
        owners = await owner.fetchval(
            "SELECT array_agg(DISTINCT pg_get_userbyid(relowner)) FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace"
        )
        routines = await owner.fetchval(
            "SELECT array_agg(DISTINCT pg_get_userbyid(proowner)) FROM pg_proc"
            " WHERE pronamespace = 'public'::regnamespace"
        )
    finally:
        await owner.close()
    assert owners == [MIGRATOR] and routines == [MIGRATOR]
