"""Rebuild: every event replayed into a fresh portfolio read model, against the raw
consume rate of the same topics."""

import time

import asyncpg

from huisacademie.rebuild import rebuild
from services.portfolio.app import DEFINITION, PortfolioSettings
from services.shared.db import migrate, with_database
from services.shared.definition import database_migrations


async def rebuild_seconds(bootstrap: str, database_url: str) -> tuple[float, int]:
    """The portfolio database at `database_url` rebuilt from Kafka; (seconds, events)."""
    await migrate(database_url, database_migrations(DEFINITION))
    settings = PortfolioSettings(database_url=database_url, KAFKA_BOOTSTRAP_SERVERS=bootstrap)
    began = time.perf_counter()
    admin_url = with_database(database_url, "postgres")
    rebuilt = await rebuild(settings, admin_url, lambda done, total: None)
    took = time.perf_counter() - began
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{rebuilt.retired}" WITH (FORCE)')
    finally:
        await conn.close()
    return took, rebuilt.events
