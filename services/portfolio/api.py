"""The portfolio's HTTP API: read models only; it accepts no commands."""

from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.portfolio import store
from services.portfolio.domain import Entry, ledger, school_year
from services.shared.db import Connection
from services.shared.http import runtime_of

router = APIRouter()


class EntryOut(BaseModel):
    entry_id: UUID
    source: str = Field(description="enrollment, or audit for peer-audit work.")
    status: str = Field(description="enrolled, waitlisted, cancelled or completed.")
    title: str
    kind: str
    academy_name: str
    offering_id: UUID | None
    hours: float | None = Field(description="Hours credited; only completed entries have them.")
    completed_on: date | None
    school_year: str | None
    domains: tuple[str, ...]
    goal_tags: tuple[str, ...]
    detail: dict[str, Any]


class YearOut(BaseModel):
    school_year: str = Field(examples=["2025-2026"])
    hours: float
    activities: int
    by_domain: dict[str, float]
    by_goal_tag: dict[str, float]
    by_kind: dict[str, float]


class PortfolioOut(BaseModel):
    staff_id: UUID
    total_hours: float
    school_years: list[YearOut] = Field(
        description="Hours per school year (1 Aug - 31 Jul), newest first."
    )
    entries: list[EntryOut]


class SchoolAudits(BaseModel):
    school_id: UUID
    audits: list[dict[str, Any]]


def _entry(e: Entry) -> EntryOut:
    return EntryOut(
        entry_id=e.entry_id,
        source=e.source,
        status=e.status,
        title=e.title,
        kind=e.kind,
        academy_name=e.academy_name,
        offering_id=e.offering_id,
        hours=e.hours,
        completed_on=e.completed_on,
        school_year=school_year(e.completed_on) if e.completed_on else None,
        domains=e.domains,
        goal_tags=e.goal_tags,
        detail=e.detail,
    )


async def _conn(request: Request) -> AsyncIterator[Connection]:
    async with runtime_of(request).pool.acquire() as conn:
        yield conn


Conn = Annotated[Connection, Depends(_conn)]


@router.get("/staff/{staff_id}/portfolio", tags=["portfolio"])
async def portfolio(staff_id: UUID, conn: Conn) -> PortfolioOut:
    """The staff member's competence dossier: every entry, and hours per school year.
    A staff member with no recorded activity has an empty portfolio."""
    entries = await store.entries_of(conn, staff_id)
    years = ledger(entries)
    return PortfolioOut(
        staff_id=staff_id,
        total_hours=round(sum(y.hours for y in years), 2),
        school_years=[YearOut(**asdict(y)) for y in years],
        entries=[_entry(e) for e in entries],
    )


@router.get("/schools/{school_id}/audits", tags=["audits"])
async def school_audits(school_id: UUID, conn: Conn) -> SchoolAudits:
    """The school's peer-audit history: scheduled, completed with findings, cancelled."""
    return SchoolAudits(school_id=school_id, audits=await store.audits_of(conn, school_id))
