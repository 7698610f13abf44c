"""The portfolio's HTTP API for what the yearly target follows: a staff member's profile
(StaffProfileSet) and a board's targets per role."""

from dataclasses import asdict
from uuid import UUID

from fastapi import APIRouter

from contracts.portfolio import StaffProfileSet
from services.portfolio.api.deps import Commands, Queries
from services.portfolio.api.schemas import ProfileIn, ProfileOut, TargetsIn, TargetsOut
from services.portfolio.domain.hours import DEFAULTS
from services.shared.identity.access import Target
from services.shared.identity.http import Who

router = APIRouter(tags=["portfolio"])


@router.get("/staff/{staff_id}/profile")
async def profile(staff_id: UUID, q: Queries, who: Who) -> ProfileOut | None:
    """Board, role, sector, FTE, schools and team as last set; null while none is."""
    await who.allow_staff(staff_id)
    found = await q.profile(staff_id)
    return None if found is None else ProfileOut.model_validate(asdict(found))


@router.put("/staff/{staff_id}/profile")
async def set_profile(staff_id: UUID, body: ProfileIn, cmd: Commands, who: Who) -> ProfileIn:
    """Board, role, sector and FTE: what the yearly target follows (StaffProfileSet)."""
    await who.allow_staff(staff_id)
    await who.refuse_other_boards(who.own_board(body.board_id), body.school_ids)
    await cmd.set_profile(StaffProfileSet(staff_id=staff_id, **body.model_dump()))
    return body


@router.get("/boards/{board_id}/targets")
async def targets(board_id: UUID, q: Queries, who: Who) -> TargetsOut:
    """The board's yearly targets per role at full time, and the defaults for the rest."""
    who.allow(Target(board_id=board_id))
    return TargetsOut(hours_per_year=await q.board_targets(board_id), defaults=DEFAULTS)


@router.put("/boards/{board_id}/targets")
async def set_targets(board_id: UUID, body: TargetsIn, cmd: Commands, who: Who) -> TargetsIn:
    """A board's yearly targets per role, at full time (pro rata by FTE per person)."""
    who.allow(Target(board_id=board_id))
    await cmd.set_board_targets(board_id, {r.value: h for r, h in body.hours_per_year.items()})
    return body
