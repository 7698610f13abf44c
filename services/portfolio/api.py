"""The portfolio's HTTP reads: the dossier (now or as it stood on a date), as JSON or a
web page, evidence files, and the schools' audit histories."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.portfolio import dossier_pdf, journal, page, store
from services.portfolio.commands import PortfolioCommands
from services.portfolio.domain import Entry, ledger, school_year
from services.portfolio.entries import fold
from services.portfolio.targets import four_years, yearly_target
from services.shared.clock import dutch_today, end_of_dutch_day
from services.shared.db import Connection
from services.shared.errors import NotFound
from services.shared.http import commands, runtime_of

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
    evidence: tuple[dict[str, Any], ...] = ()
    reflections: tuple[dict[str, Any], ...] = ()
    notes: tuple[dict[str, Any], ...] = ()


class YearOut(BaseModel):
    school_year: str = Field(examples=["2025-2026"])
    hours: float
    activities: int
    by_domain: dict[str, float]
    by_goal_tag: dict[str, float]
    by_kind: dict[str, float]
    by_academy: dict[str, float]
    target: float | None = Field(description="The yearly target, when the profile is known.")
    remaining: float | None = Field(description="Hours still to go to the target.")


class FourYearsOut(BaseModel):
    """The former teacher register's profile: 160 hours in four school years, at least 100
    of them on the three competence domains."""

    first_year: str
    last_year: str
    hours: float
    domain_hours: float
    hours_target: float
    domain_target: float
    met: bool


class PortfolioOut(BaseModel):
    staff_id: UUID
    total_hours: float
    target_hours_per_year: float | None = Field(
        description="The board's target for the role (or the collective agreement's), pro rata."
    )
    school_years: list[YearOut] = Field(
        description="Hours per school year (1 Aug - 31 Jul), newest first."
    )
    four_years: FourYearsOut
    entries: list[EntryOut]


def entry_out(e: Entry) -> EntryOut:
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
        evidence=e.evidence,
        reflections=e.reflections,
        notes=e.notes,
    )


async def _conn(request: Request) -> AsyncIterator[Connection]:
    async with runtime_of(request).pool.acquire() as conn:
        yield conn


Conn = Annotated[Connection, Depends(_conn)]


Commands = Annotated[PortfolioCommands, Depends(commands(PortfolioCommands))]


AsOf = Annotated[
    date | None,
    Query(
        description="The portfolio as it stood at the end of this day.",
        ge=date(1900, 1, 1),
        le=date(9000, 12, 31),
    ),
]


async def _entries(conn: Connection, staff_id: UUID, as_of: date | None) -> list[Entry]:
    if as_of is None:
        return await store.entries_of(conn, staff_id)
    end_of_day = end_of_dutch_day(as_of)
    return fold(await journal.events_of(conn, staff_id, end_of_day), staff_id)


@router.get("/staff/{staff_id}/portfolio", tags=["portfolio"])
async def portfolio(staff_id: UUID, conn: Conn, as_of: AsOf = None) -> PortfolioOut:
    """The staff member's competence dossier: every entry, and hours per school year; with
    as_of, as it stood then, replayed from the events recorded by that day. A staff member
    with no recorded activity has an empty portfolio."""
    entries = await _entries(conn, staff_id, as_of)
    years = ledger(entries)
    profile = await store.profile_of(conn, staff_id)
    target = yearly_target(
        profile, await store.board_targets(conn, profile.board_id) if profile else {}
    )
    day = as_of or dutch_today()
    four = four_years(entries, day)
    return PortfolioOut(
        staff_id=staff_id,
        total_hours=round(sum(y.hours for y in years), 2),
        target_hours_per_year=target,
        school_years=[
            YearOut(
                **asdict(y),
                target=target,
                remaining=None if target is None else round(max(target - y.hours, 0), 2),
            )
            for y in years
        ],
        four_years=FourYearsOut(**asdict(four), met=four.met),
        entries=[entry_out(e) for e in entries],
    )


@router.get("/staff/{staff_id}/portfolio.html", tags=["portfolio"], response_class=HTMLResponse)
async def portfolio_page(staff_id: UUID, conn: Conn, as_of: AsOf = None) -> HTMLResponse:
    """The dossier as a web page, with a chart of hours per school year and domain."""
    entries = await _entries(conn, staff_id, as_of)
    html = page.render(staff_id, ledger(entries), entries, as_of.isoformat() if as_of else None)
    return HTMLResponse(html)


@router.get(
    "/staff/{staff_id}/portfolio.pdf",
    tags=["portfolio"],
    response_class=Response,
    responses={
        200: {
            "description": "The dossier as a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def portfolio_pdf(staff_id: UUID, conn: Conn, as_of: AsOf = None) -> Response:
    """The dossier as a PDF: cover, ledger per school year, entries with their evidence,
    reflections and notes."""
    entries = await _entries(conn, staff_id, as_of)
    today = dutch_today()
    # Rendering takes a while for a long dossier: off the event loop, so nothing else waits.
    content = await asyncio.to_thread(
        dossier_pdf.render, staff_id, ledger(entries), entries, as_of, today
    )
    name = f"bekwaamheidsdossier-{staff_id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/evidence/{evidence_id}",
    tags=["portfolio"],
    response_class=Response,
    responses={
        200: {
            "description": "The file, with the media type it was uploaded with.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def evidence_file(evidence_id: UUID, conn: Conn) -> Response:
    found = await store.get_file(conn, evidence_id)
    if found is None:
        raise NotFound(f"no evidence file {evidence_id}")
    name, media_type, content = found
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
    return Response(content, media_type=media_type, headers=headers)
