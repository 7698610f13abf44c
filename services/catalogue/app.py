"""The catalogue's composition root."""

from collections.abc import Sequence
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pydantic_settings import SettingsConfigDict

from contracts import topics
from contracts.enrollment import Enrolled, EnrollmentCancelled, ReservationReleased, SeatsReserved
from services.catalogue import seats
from services.catalogue.api import router
from services.shared.consumer import EventConsumer
from services.shared.http import create_http_app
from services.shared.runtime import ServiceDefinition
from services.shared.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_", extra="ignore")

    http_port: int = 8001


def seats_consumer(
    pool: asyncpg.Pool, broker: KafkaBroker, max_attempts: int, handler_timeout: float = 60.0
) -> EventConsumer:
    """Seats taken per offering, from enrollment's events; Completed and NotCompleted keep
    the seat, so they are of no interest here."""
    return EventConsumer(
        seats.GROUP,
        pool,
        broker,
        {
            Enrolled: seats.on_enrolled,
            EnrollmentCancelled: seats.on_enrollment_cancelled,
            SeatsReserved: seats.on_seats_reserved,
            ReservationReleased: seats.on_reservation_released,
        },
        max_attempts=max_attempts,
        handler_timeout=handler_timeout,
    )


def consumers(
    pool: asyncpg.Pool, broker: KafkaBroker, settings: ServiceSettings
) -> Sequence[EventConsumer]:
    on_enrollments = seats_consumer(
        pool, broker, settings.consumer_max_attempts, settings.handler_timeout_s
    )
    on_enrollments.subscribe(topics.ENROLLMENTS)
    return [on_enrollments]


DEFINITION = ServiceDefinition(
    name="catalogue", migrations=Path(__file__).parent / "migrations", consumers=consumers
)


def create_app(settings: CatalogueSettings | None = None) -> FastAPI:
    app = create_http_app(
        DEFINITION,
        settings or CatalogueSettings(),
        title="huisacademie catalogue",
        description="Academies publish offerings and programmes and plan peer audits.",
    )
    app.include_router(router)
    return app
