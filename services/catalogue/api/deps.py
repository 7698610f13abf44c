"""The catalogue's use cases, per request: the commands and the queries."""

from typing import Annotated, Any

from fastapi import Depends

from services.catalogue.commands import CatalogueCommands
from services.catalogue.queries import CatalogueQueries
from services.shared.http import use_cases
from services.shared.unit_of_work import Database


def _commands(database: Database[Any]) -> CatalogueCommands:
    return CatalogueCommands(database.transaction)


Commands = Annotated[CatalogueCommands, Depends(use_cases(_commands))]
Queries = Annotated[CatalogueQueries, Depends(use_cases(CatalogueQueries))]
