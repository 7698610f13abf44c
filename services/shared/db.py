"""PostgreSQL: the pool and the migrations."""

from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

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
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        reset=_nothing_to_reset,
    )
    assert pool is not None
    return pool


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    """Pooled connections keep no session state (LISTEN, session advisory locks and SET are
    only used on connections of their own), so a connection goes back to the pool without
    asyncpg's reset query: one round trip less per request. asyncpg still rolls back an
    open transaction first."""


async def migrate(database_url: str, directories: Sequence[Path]) -> list[str]:
    """Apply the *.sql files of each directory in name order, each once, each in its own
    transaction; an advisory lock keeps two processes from migrating at the same time.
    Returns the names applied now."""
    conn = await asyncpg.connect(database_url)
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for directory in directories:
            for path in sorted(directory.glob("*.sql")):
                name = f"{directory.parent.name}/{path.name}"
                if name in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text())
                    await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                applied.append(name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
        await conn.close()
    return applied


Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
"""A connection of its own or one lent by the pool: adapters take either."""
