"""Enrollment's composition root."""

from collections.abc import Sequence
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pydantic_settings import SettingsConfigDict

from contracts import topics
from contracts.catalogue import CourseOffered, CourseUpdated, CourseWithdrawn, ProgrammeOffered
from services.enrollment import api, api_reservations, views
from services.enrollment.projection import CatalogueProjection
from services.shared.consumer import EventConsumer
from services.shared.http import create_http_app
from services.shared.runtime import ServiceDefinition
from services.shared.settings import ServiceSettings


class EnrollmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ENROLLMENT_", extra="ignore")

    http_port: int = 8002


def consumers(
    pool: asyncpg.Pool, broker: KafkaBroker, settings: ServiceSettings
) -> Sequence[EventConsumer]:
    catalogue = CatalogueProjection(pool, DEFINITION.source)
    attempts = settings.consumer_max_attempts
    on_offerings = EventConsumer(
        "enrollment.offerings",
        pool,
        broker,
        {
            CourseOffered: catalogue.on_course_offered,
            CourseUpdated: catalogue.on_course_updated,
            CourseWithdrawn: catalogue.on_course_withdrawn,
        },
        max_attempts=attempts,
        handler_timeout=settings.handler_timeout_s,
    )
    on_offerings.subscribe(topics.OFFERINGS)
    on_programmes = EventConsumer(
        "enrollment.programmes",
        pool,
        broker,
        {ProgrammeOffered: catalogue.on_programme_offered},
        max_attempts=attempts,
        handler_timeout=settings.handler_timeout_s,
    )
    on_programmes.subscribe(topics.PROGRAMMES)
    return [on_offerings, on_programmes]


DEFINITION = ServiceDefinition(
    name="enrollment", migrations=Path(__file__).parent / "migrations", consumers=consumers
)


def create_app(settings: EnrollmentSettings | None = None) -> FastAPI:
    app = create_http_app(
        DEFINITION,
        settings or EnrollmentSettings(),
        title="huisacademie enrollment",
        description="Staff enrol, wait, get approved, attend and complete; capacity holds.",
    )
    app.include_router(api.router)
    app.include_router(api_reservations.router)
    app.include_router(views.router)
    return app
