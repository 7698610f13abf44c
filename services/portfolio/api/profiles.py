"""The portfolio's HTTP API for what the yearly target follows: a staff member's profile
(StaffProfileSet) and a board's targets per role."""

from uuid import UUID

from fastapi import APIRouter

from contracts.portfolio import StaffProfileSet
from services.portfolio.api.deps import Commands
from services.portfolio.api.schemas import ProfileIn, TargetsIn

router = APIRouter(tags=["portfolio"])


@router.put("/staff/{staff_id}/profile")
async def set_profile(staff_id: UUID, body: ProfileIn, cmd: Commands) -> ProfileIn:
    """Board, role, sector and FTE: what the yearly target follows (StaffProfileSet)."""
    await cmd.set_profile(StaffProfileSet(staff_id=staff_id, **body.model_dump()))
    return body


@router.put("/boards/{board_id}/targets")
async def set_targets(board_id: UUID, body: TargetsIn, cmd: Commands) -> TargetsIn:
    """A board's yearly targets per role, at full time (pro rata by FTE per person)."""
    await cmd.set_board_targets(board_id, {r.value: h for r, h in body.hours_per_year.items()})
    return body
