"""Enrollment's composition root."""

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.enrollment.api import router
from services.enrollment.handlers import SUBSCRIPTIONS
from services.enrollment.store import Store, record_history
from services.shared.http import create_http_app
from services.shared.runtime import ServiceDefinition
from services.shared.settings import ServiceSettings


class EnrollmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ENROLLMENT_", extra="ignore")

    http_port: int = 8002


DEFINITION = ServiceDefinition(
    name="enrollment",
    migrations=Path(__file__).parent / "migrations",
    store=Store,
    subscriptions=SUBSCRIPTIONS,
    journal=record_history,
)


def create_app(settings: EnrollmentSettings | None = None) -> FastAPI:
    return create_http_app(
        DEFINITION,
        settings or EnrollmentSettings(),
        title="huisacademie enrollment",
        description="Staff enrol, wait, get approved, attend and complete; capacity holds.",
        router=router,
    )
