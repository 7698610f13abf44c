"""The catalogue's commands against the fake unit of work (the same test case runs against
PostgreSQL in tests/integration/test_catalogue_commands.py)."""

import pytest

from contracts import Event
from services.catalogue.commands import CatalogueCommands
from tests.support.catalogue_commands import CatalogueCommandsContract
from tests.support.fakes import fake_catalogue

pytestmark = pytest.mark.unit


class TestWithAFakeUnitOfWork(CatalogueCommandsContract):
    @pytest.fixture(autouse=True)
    def _fake(self) -> None:
        self.database = fake_catalogue()
        self.commands = CatalogueCommands(self.database.transaction)

    async def committed(self) -> list[Event]:
        return list(self.database.committed)
