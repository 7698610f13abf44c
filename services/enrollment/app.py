"""Enrollment's composition root."""

from collections.abc import Sequence
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pydantic_settings import SettingsConfigDict

from contracts import topics
from contracts.catalogue import CourseOffered, CourseUpdated, CourseWithdrawn
from services.enrollment.api import router
from services.enrollment.service import Enrollments
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
    svc = Enrollments(pool, DEFINITION.source)
    on_offerings = EventConsumer(
        "enrollment.offerings",
        pool,
        broker,
        {
            CourseOffered: svc.on_course_offered,
            CourseUpdated: svc.on_course_updated,
            CourseWithdrawn: svc.on_course_withdrawn,
        },
        max_attempts=settings.consumer_max_attempts,
    )
    on_offerings.subscribe(topics.OFFERINGS)
    return [on_offerings]


DEFINITION = ServiceDefinition(
    name="enrollment", migrations=Path(__file__).parent / "migrations", consumers=consumers
)


def create_app(settings: EnrollmentSettings | None = None) -> FastAPI:
    app = create_http_app(
        DEFINITION,
        settings or EnrollmentSettings(),
        title="huisacademie enrollment",
        description="Staff enrol, wait, cancel and complete; capacity is never exceeded.",
    )
    app.include_router(router)
    return app
