"""PostgreSQL: the pool and the migrations."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

SHARED_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 7_421_001


async def create_pool(
    database_url: str,
    *,
    min_size: int = 2,
    max_size: int = 20,
    command_timeout: float | None = None,
    server_settings: dict[str, str] | None = None,
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        reset=_nothing_to_reset,
        server_settings=server_settings,
    )
    assert pool is not None
    return pool


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    """Pooled connections keep no session state (LISTEN, session advisory locks and SET are
    only used on connections of their own), so a connection goes back to the pool without
    asyncpg's reset query: one round trip less per request. asyncpg still rolls back an
    open transaction first."""


async def migrate(
    database_url: str,
    directories: Sequence[Path],
    *,
    writers: Sequence[str] = (),
    readers: Sequence[str] = (),
    deleters: Mapping[str, Sequence[str]] | None = None,
    as_role: str | None = None,
) -> list[str]:
    """Apply the *.sql files of each directory in name order, each once, each in its own
    transaction; an advisory lock keeps two processes from migrating at the same time.

    `writers` may read and write every table's rows, `readers` read them (`deleters`, role
    to tables: read them all, delete the rows of those tables), from before the
    first migration on (a table a migration makes is theirs as it is made, so a service
    never finds its schema current and its tables closed); neither may change the schema,
    and no one else may connect. `as_role`: migrate as that role (an administrator
    migrating a database the migration role owns). Returns the names applied now."""
    conn = await asyncpg.connect(database_url)
    applied: list[str] = []
    try:
        if as_role is not None:
            await conn.execute(f"SET ROLE {quote_identifier(as_role)}")
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        if writers or readers or deleters:
            async with conn.transaction():
                await _grant(conn, writers, [*readers, *(deleters or {})])
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for name, path in _migrations(directories):
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text())
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied.append(name)
        for role, tables in (deleters or {}).items():  # the tables exist now
            named = ", ".join(quote_identifier(t) for t in tables)
            await conn.execute(f"GRANT DELETE ON {named} TO {quote_identifier(role)}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
        await conn.close()
    return applied


class PrivilegesLeft(RuntimeError):
    """A role may still change the schema after the grants: the server gives PUBLIC more
    than this code can take back (PostgreSQL before 15, where PUBLIC may create in schema
    public; make the migration role the owner of schema public)."""


async def pending_migrations(database_url: str, directories: Sequence[Path]) -> list[str]:
    """The migrations of `directories` not applied to the database yet."""
    conn = await asyncpg.connect(database_url)
    try:
        if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
            done = set()
        else:
            done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
    finally:
        await conn.close()
    return [name for name, _ in _migrations(directories) if name not in done]


def _migrations(directories: Sequence[Path]) -> list[tuple[str, Path]]:
    return [
        (f"{directory.parent.name}/{path.name}", path)
        for directory in directories
        for path in sorted(directory.glob("*.sql"))
    ]


async def _grant(
    conn: asyncpg.Connection,
    writers: Sequence[str],
    readers: Sequence[str],
) -> None:
    """As the schema's owner: the tables there are and will be, and nothing more."""
    database = quote_identifier(await conn.fetchval("SELECT current_database()"))
    await conn.execute(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
    await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    for role in (quote_identifier(r) for r in (*writers, *readers)):
        await conn.execute(f"GRANT CONNECT ON DATABASE {database} TO {role}")
        await conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        await conn.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}"
        )
    for role in (quote_identifier(r) for r in writers):
        rows = "INSERT, UPDATE, DELETE"
        await conn.execute(f"GRANT {rows} ON ALL TABLES IN SCHEMA public TO {role}")
        await conn.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {rows} ON TABLES TO {role}"
        )
        await conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        await conn.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}"
        )
        # Which migrations ran is the migration role's to say.
        await conn.execute(f"REVOKE {rows} ON schema_migrations FROM {role}")
    left = await conn.fetch(
        "SELECT r AS role FROM unnest($1::text[]) AS r"
        " WHERE NOT (SELECT rolsuper FROM pg_roles WHERE rolname = r)"  # bypass all anyway
        " AND (has_schema_privilege(r, 'public', 'CREATE')"
        " OR has_database_privilege(r, current_database(), 'CREATE')"
        " OR has_database_privilege(r, current_database(), 'TEMPORARY'))",
        [*writers, *readers],
    )
    if left:
        roles = ", ".join(r["role"] for r in left)
        raise PrivilegesLeft(f"{roles} may still change the schema of {database}")


def with_database(url: str, database: str) -> str:
    """The same server and role, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def quote_identifier(name: str) -> str:
    """A role's, database's or table's name as SQL: double-quoted, quotes doubled."""
    if not name or "\x00" in name:
        raise ValueError(f"not a name: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A string as an SQL literal (for the statements that take no parameters)."""
    if "\x00" in text:
        raise ValueError("a NUL cannot be in a literal")
    return "'" + text.replace("'", "''") + "'"


Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
"""A connection of its own or one lent by the pool: adapters take either."""
