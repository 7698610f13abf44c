"""The portfolio's use cases, per request: the commands and the queries."""

from typing import Annotated, Any

from fastapi import Depends

from services.portfolio.commands import PortfolioCommands
from services.portfolio.queries import PortfolioQueries
from services.shared.http import use_cases
from services.shared.unit_of_work import Database


def _commands(database: Database[Any]) -> PortfolioCommands:
    return PortfolioCommands(database.transaction)


Commands = Annotated[PortfolioCommands, Depends(use_cases(_commands))]
Queries = Annotated[PortfolioQueries, Depends(use_cases(PortfolioQueries))]
