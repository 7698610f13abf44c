"""The portfolio's HTTP API for audit histories: a school's audits with the follow-up of
every point to improve, recording follow-up (FollowUpRecorded), and a board's audit cycle."""

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.portfolio.api.deps import Commands, Queries
from services.portfolio.api.schemas import FollowUpIn, SchoolAudits
from services.shared.identity.access import Target
from services.shared.identity.http import Who

router = APIRouter(tags=["audits"])


@router.get("/schools/{school_id}/audits")
async def school_audits(school_id: UUID, q: Queries, who: Who) -> SchoolAudits:
    """The school's peer-audit history: scheduled, completed with findings and the follow-up
    of each point to improve, cancelled; and the points still open across audits."""
    await who.allow_school(school_id)
    audits, still_open = await q.school_audits(school_id)
    return SchoolAudits(school_id=school_id, audits=audits, open_points=still_open)


@router.post(
    "/schools/{school_id}/audits/{audit_id}/follow-ups", status_code=status.HTTP_201_CREATED
)
async def record_follow_up(
    school_id: UUID,
    audit_id: UUID,
    body: FollowUpIn,
    cmd: Commands,
    who: Who,
) -> dict[str, Any]:
    """The school records an action on a point to improve; closed=true when dealt with."""
    await who.allow_school(school_id)
    by = who.acts_as(body.recorded_by, "recorded_by")
    made = await cmd.record_follow_up(
        school_id, audit_id, body.point_index, body.action, body.closed, by
    )
    return {
        "follow_up_id": made.follow_up_id,
        "point_index": made.point_index,
        "closed": made.closed,
    }


@router.get("/boards/{board_id}/audits")
async def board_cycle(
    board_id: UUID,
    q: Queries,
    who: Who,
    every_years: Annotated[int, Query(ge=1, le=10, description="The board's audit cycle.")] = 2,
) -> list[dict[str, Any]]:
    """Which schools of the board were audited when, on which themes, and which are due."""
    who.allow(Target(board_id=board_id))
    return [asdict(c) for c in await q.board_cycle(board_id, every_years)]
