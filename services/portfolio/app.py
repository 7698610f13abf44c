"""The portfolio's composition root."""

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.portfolio.api import router
from services.portfolio.handlers import SUBSCRIPTIONS
from services.portfolio.store import Store, record_journal
from services.shared.http import create_http_app
from services.shared.runtime import ServiceDefinition
from services.shared.settings import ServiceSettings


class PortfolioSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTFOLIO_", extra="ignore")

    http_port: int = 8003


DEFINITION = ServiceDefinition(
    name="portfolio",
    migrations=Path(__file__).parent / "migrations",
    store=Store,
    subscriptions=SUBSCRIPTIONS,
    journal=record_journal,
)


def create_app(settings: PortfolioSettings | None = None) -> FastAPI:
    return create_http_app(
        DEFINITION,
        settings or PortfolioSettings(),
        title="huisacademie portfolio",
        description=(
            "Each staff member's competence dossier and each school's audit history,"
            " built from events."
        ),
        router=router,
    )
