"""The catalogue's commands on PostgreSQL, through the unit of work into the outbox (the
same test case runs against the fake unit of work in tests/unit/test_catalogue_commands.py)."""

import json
from collections.abc import AsyncIterator

import asyncpg
import pytest

from contracts import Event, decode
from services.catalogue.app import DEFINITION
from services.catalogue.commands import CatalogueCommands
from tests.support.catalogue_commands import CatalogueCommandsContract
from tests.support.infra import Infrastructure, service_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def catalogue_pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_catalogue_commands", DEFINITION) as pool:
        yield pool


class TestOnPostgres(CatalogueCommandsContract):
    @pytest.fixture(autouse=True)
    async def _database(self, catalogue_pool: asyncpg.Pool) -> None:
        self.pool = catalogue_pool
        self.since: int = await catalogue_pool.fetchval("SELECT coalesce(max(seq), 0) FROM outbox")
        self.commands = CatalogueCommands(DEFINITION.database(catalogue_pool).transaction)

    async def committed(self) -> list[Event]:
        rows = await self.pool.fetch(
            "SELECT headers, payload FROM outbox WHERE seq > $1 ORDER BY seq", self.since
        )
        return [decode(json.loads(r["headers"]), bytes(r["payload"])).data for r in rows]
