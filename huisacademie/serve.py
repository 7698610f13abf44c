"""Runs one service in this process: its HTTP API, consumers and outbox relay."""

from typing import Any

import uvicorn
from pydantic import ValidationError

from services.catalogue.app import DEFINITION as CATALOGUE
from services.enrollment.app import DEFINITION as ENROLLMENT
from services.portfolio.app import DEFINITION as PORTFOLIO
from services.shared import telemetry
from services.shared.definition import ServiceDefinition
from services.shared.http import create_http_app
from services.shared.logging import configure_logging
from services.subscriptions.app import DEFINITION as SUBSCRIPTIONS
from services.web.app import DEFINITION as WEB

SERVICES: dict[str, ServiceDefinition[Any]] = {
    d.name: d for d in (CATALOGUE, ENROLLMENT, PORTFOLIO, SUBSCRIPTIONS, WEB)
}


def serve(name: str) -> None:
    definition = SERVICES[name]
    try:
        settings = definition.settings()
    except ValidationError as e:
        prefix = definition.settings.model_config.get("env_prefix", "")
        missing = [f"{prefix}{err['loc'][0]}".upper() for err in e.errors()]
        raise SystemExit(f"huisacademie serve {name}: set {', '.join(missing)}") from e
    configure_logging(settings.log_level, settings.log_json)
    tracing = telemetry.start(name)  # None unless OTEL_EXPORTER_OTLP_ENDPOINT is set
    try:
        uvicorn.run(
            create_http_app(definition, settings),
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            timeout_graceful_shutdown=10,
        )
    finally:
        if tracing is not None:
            tracing.shutdown()  # stopped without a signal (the app's lifespan flushed)
