"""Audit histories over HTTP: a school's audits with the follow-up of every point to
improve, recording follow-up (FollowUpRecorded), and a board's audit cycle."""

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.values import Plain
from services.portfolio import store
from services.portfolio.api import Commands, Conn
from services.portfolio.audit_history import cycle, points
from services.shared.clock import dutch_today

router = APIRouter(tags=["audits"])


class SchoolAudits(BaseModel):
    school_id: UUID
    audits: list[dict[str, Any]] = Field(description="Oldest first, each with its points.")
    open_points: list[dict[str, Any]] = Field(description="Points to improve not yet closed.")


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    point_index: int = Field(ge=0, description="Which point to improve, counted from 0.")
    action: Plain = Field(min_length=1, max_length=5000)
    closed: bool = False
    recorded_by: UUID


@router.get("/schools/{school_id}/audits")
async def school_audits(school_id: UUID, conn: Conn) -> SchoolAudits:
    """The school's peer-audit history: scheduled, completed with findings and the follow-up
    of each point to improve, cancelled; and the points still open across audits."""
    follow_ups = await store.follow_ups_of(conn, school_id)
    audits, still_open = [], []
    for audit in await store.audits_of(conn, school_id):
        improvements = (audit["findings"] or {}).get("improvements", [])
        own = [
            asdict(p)
            for p in points(
                improvements, (f for f in follow_ups if f.audit_id == audit["audit_id"])
            )
        ]
        audits.append({**audit, "points": own})
        still_open += [
            {"audit_id": audit["audit_id"], "audit_date": audit["audit_date"], **p}
            for p in own
            if not p["closed"]
        ]
    return SchoolAudits(school_id=school_id, audits=audits, open_points=still_open)


@router.post(
    "/schools/{school_id}/audits/{audit_id}/follow-ups", status_code=status.HTTP_201_CREATED
)
async def record_follow_up(
    school_id: UUID,
    audit_id: UUID,
    body: FollowUpIn,
    cmd: Commands,
) -> dict[str, Any]:
    """The school records an action on a point to improve; closed=true when dealt with."""
    made = await cmd.record_follow_up(
        school_id, audit_id, body.point_index, body.action, body.closed, body.recorded_by
    )
    return {
        "follow_up_id": made.follow_up_id,
        "point_index": made.point_index,
        "closed": made.closed,
    }


@router.get("/boards/{board_id}/audits")
async def board_cycle(
    board_id: UUID,
    conn: Conn,
    every_years: Annotated[int, Query(ge=1, le=10, description="The board's audit cycle.")] = 2,
) -> list[dict[str, Any]]:
    """Which schools of the board were audited when, on which themes, and which are due."""
    today = dutch_today()
    return [
        asdict(c) for c in cycle(await store.audits_of_board(conn, board_id), every_years, today)
    ]
