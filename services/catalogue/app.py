"""The catalogue's composition root."""

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.catalogue.api import router
from services.catalogue.handlers import SUBSCRIPTIONS
from services.catalogue.store import Store
from services.shared.http import create_http_app
from services.shared.runtime import ServiceDefinition
from services.shared.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_", extra="ignore")

    http_port: int = 8001


DEFINITION = ServiceDefinition(
    name="catalogue",
    migrations=Path(__file__).parent / "migrations",
    store=Store,
    subscriptions=SUBSCRIPTIONS,
)


def create_app(settings: CatalogueSettings | None = None) -> FastAPI:
    return create_http_app(
        DEFINITION,
        settings or CatalogueSettings(),
        title="huisacademie catalogue",
        description="Academies publish offerings and programmes and plan peer audits.",
        router=router,
    )
