"""Searching offerings: every filter runs in PostgreSQL, on the details document."""

import json
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from contracts.values import (
    CompetenceDomain,
    GoalTag,
    OfferingDetails,
    OfferingKind,
    Sector,
    StaffRole,
)
from services.catalogue.domain.offerings import Offering, OfferingStatus, OfferingView
from services.shared.db import Connection

LOCAL_TIME_ZONE = "Europe/Amsterdam"
"""Session dates in a date filter are calendar dates where the academies are."""


class StatusFilter(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    ALL = "all"


class OfferingFilters(BaseModel):
    """What to look for; every filter is optional and they combine with AND. Dates are
    calendar dates in Europe/Amsterdam. The HTTP API takes it as query parameters."""

    model_config = ConfigDict(frozen=True)

    academy_id: UUID | None = None
    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Words in the title or description, each anywhere, any case.",
    )
    kind: OfferingKind | None = None
    role: StaffRole | None = Field(default=None, description="For everyone, or this role.")
    sector: Sector | None = Field(default=None, description="For every sector, or this.")
    domain: CompetenceDomain | None = None
    goal_tag: GoalTag | None = None
    starts_from: date | None = Field(default=None, description="A session on or after.")
    starts_until: date | None = Field(default=None, description="A session on or before.")
    open_seats: bool = Field(default=False, description="Only offerings with a free seat.")
    status: StatusFilter = StatusFilter.PUBLISHED
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=100_000)


class OfferingQuery(OfferingFilters):
    """The filters, seen from one board (over HTTP: the caller's, never a parameter)."""

    visible_to: UUID | None = Field(
        default=None,
        description="As seen from this board: its own academies' offerings, plus those"
        " shown to the network or the public.",
    )


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def contains(self, document: dict[str, Any]) -> None:
        self.clauses.append(f"o.details @> {self.arg(json.dumps(document))}::jsonb")

    def everyone_or(self, field: str, value: str) -> None:
        listed = f"o.details->'audience'->'{field}'"
        self.clauses.append(
            f"(coalesce(jsonb_array_length({listed}), 0) = 0"
            f" OR o.details @> {self.arg(json.dumps({'audience': {field: [value]}}))}::jsonb)"
        )


def _where(q: OfferingQuery) -> _Where:
    w = _Where()
    if q.status is not StatusFilter.ALL:
        w.clauses.append(f"o.status = {w.arg(str(q.status))}")
    if q.academy_id is not None:
        w.clauses.append(f"o.academy_id = {w.arg(q.academy_id)}")
    for word in (q.text or "").split()[:10]:
        pattern = w.arg(_anywhere(word))
        w.clauses.append(
            f"(o.details->>'title' ILIKE {pattern} OR o.details->>'description' ILIKE {pattern})"
        )
    if q.kind is not None:
        w.contains({"kind": str(q.kind)})
    if q.domain is not None:
        w.contains({"domains": [str(q.domain)]})
    if q.goal_tag is not None:
        w.contains({"goal_tags": [q.goal_tag]})
    if q.role is not None:
        w.everyone_or("roles", str(q.role))
    if q.sector is not None:
        w.everyone_or("sectors", str(q.sector))
    if q.starts_from is not None or q.starts_until is not None:
        starts_on = f"((s->>'starts_at')::timestamptz AT TIME ZONE '{LOCAL_TIME_ZONE}')::date"
        w.clauses.append(
            "EXISTS (SELECT 1 FROM jsonb_array_elements(o.details->'sessions') AS s"
            f" WHERE {starts_on} >= coalesce({w.arg(q.starts_from)}::date, '-infinity')"
            f" AND {starts_on} <= coalesce({w.arg(q.starts_until)}::date, 'infinity'))"
        )
    if q.open_seats:
        w.clauses.append(
            "(o.details->>'capacity' IS NULL"
            " OR coalesce(s.taken, 0) < (o.details->>'capacity')::integer)"
        )
    if q.visible_to is not None:
        w.clauses.append(
            f"(a.board_id = {w.arg(q.visible_to)}"
            " OR o.details->>'visibility' IN ('network', 'public'))"
        )
    return w


def _anywhere(word: str) -> str:
    """An ILIKE pattern finding the word as typed (its % and _ are not wildcards)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_SELECT = (
    "SELECT o.details, o.status, coalesce(s.taken, 0) AS taken"
    " FROM offerings o JOIN academies a ON a.academy_id = o.academy_id"
    " LEFT JOIN seats s ON s.offering_id = o.offering_id"
)


def _view(row: asyncpg.Record) -> OfferingView:
    details = OfferingDetails.model_validate_json(row["details"])
    return OfferingView(Offering(details, OfferingStatus(row["status"])), row["taken"])


async def find(conn: Connection, q: OfferingQuery) -> list[OfferingView]:
    w = _where(q)
    where = " WHERE " + " AND ".join(w.clauses) if w.clauses else ""
    page = f" LIMIT {w.arg(q.limit)} OFFSET {w.arg(q.offset)}"
    rows = await conn.fetch(
        _SELECT + where + " ORDER BY o.created_at, o.offering_id" + page, *w.args
    )
    return [_view(r) for r in rows]


async def view(conn: Connection, offering_id: UUID) -> OfferingView | None:
    row = await conn.fetchrow(_SELECT + " WHERE o.offering_id = $1", offering_id)
    return _view(row) if row else None
