"""The portfolio's composition root."""

from collections.abc import Sequence
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pydantic_settings import SettingsConfigDict

from contracts import topics
from contracts.catalogue import AuditCancelled, AuditCompleted, AuditRescheduled, AuditScheduled
from contracts.enrollment import AttendanceRecorded
from services.portfolio import api, api_audits, api_commands, api_plans, journal, projection
from services.portfolio.entries import STATUS
from services.shared.consumer import EventConsumer
from services.shared.http import create_http_app
from services.shared.runtime import ServiceDefinition
from services.shared.settings import ServiceSettings


class PortfolioSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTFOLIO_", extra="ignore")

    http_port: int = 8003


def consumers(
    pool: asyncpg.Pool, broker: KafkaBroker, settings: ServiceSettings
) -> Sequence[EventConsumer]:
    attempts = settings.consumer_max_attempts
    on_enrollments = EventConsumer(
        "portfolio.enrollments",
        pool,
        broker,
        {
            **dict.fromkeys(STATUS, projection.apply_entries),
            AttendanceRecorded: projection.on_attendance,
        },
        max_attempts=attempts,
        handler_timeout=settings.handler_timeout_s,
        journal=journal.record,
        together=dict.fromkeys(STATUS, projection.apply_entries_together),
    )
    on_enrollments.subscribe(topics.ENROLLMENTS)
    on_audits = EventConsumer(
        "portfolio.audits",
        pool,
        broker,
        {
            AuditScheduled: projection.on_audit_scheduled,
            AuditRescheduled: projection.on_audit_rescheduled,
            AuditCompleted: projection.on_audit_completed,
            AuditCancelled: projection.on_audit_cancelled,
        },
        max_attempts=attempts,
        handler_timeout=settings.handler_timeout_s,
        journal=journal.record,
    )
    on_audits.subscribe(topics.AUDITS)
    return [on_enrollments, on_audits]


DEFINITION = ServiceDefinition(
    name="portfolio", migrations=Path(__file__).parent / "migrations", consumers=consumers
)


def create_app(settings: PortfolioSettings | None = None) -> FastAPI:
    app = create_http_app(
        DEFINITION,
        settings or PortfolioSettings(),
        title="huisacademie portfolio",
        description=(
            "Each staff member's competence dossier and each school's audit history,"
            " built from events."
        ),
    )
    app.include_router(api.router)
    app.include_router(api_commands.router)
    app.include_router(api_audits.router)
    app.include_router(api_plans.router)
    return app
