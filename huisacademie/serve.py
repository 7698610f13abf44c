"""Runs one service in this process: its HTTP API, consumers and outbox relay."""

from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from services.catalogue.app import CatalogueSettings
from services.catalogue.app import create_app as catalogue_app
from services.enrollment.app import EnrollmentSettings
from services.enrollment.app import create_app as enrollment_app
from services.portfolio.app import PortfolioSettings
from services.portfolio.app import create_app as portfolio_app
from services.shared.logging import configure_logging
from services.shared.settings import ServiceSettings

SERVICES: dict[str, tuple[type[ServiceSettings], Callable[..., FastAPI]]] = {
    "catalogue": (CatalogueSettings, catalogue_app),
    "enrollment": (EnrollmentSettings, enrollment_app),
    "portfolio": (PortfolioSettings, portfolio_app),
}


def serve(name: str) -> None:
    settings_type, create_app = SERVICES[name]
    try:
        settings = settings_type()
    except ValidationError as e:
        prefix = settings_type.model_config.get("env_prefix", "")
        missing = [f"{prefix}{err['loc'][0]}".upper() for err in e.errors()]
        raise SystemExit(f"huisacademie serve {name}: set {', '.join(missing)}") from e
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=10,
    )
