"""The catalogue's use cases on a real database, for integration tests."""

from dataclasses import dataclass

import asyncpg

from services.catalogue.app import DEFINITION
from services.catalogue.commands import CatalogueCommands
from services.catalogue.queries import CatalogueQueries


@dataclass(frozen=True)
class Catalogue:
    commands: CatalogueCommands
    queries: CatalogueQueries

    @classmethod
    def on(cls, pool: asyncpg.Pool) -> "Catalogue":
        database = DEFINITION.database(pool)
        return cls(CatalogueCommands(database.transaction), CatalogueQueries(database))
