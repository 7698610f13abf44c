"""The portfolio's HTTP API for retention by purpose: a staff member leaving the board
(StaffLeft, recorded by its HR administration) and the board's retention period after
that, when the retention job erases them."""

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from contracts.portfolio import DepartureWithdrawn, StaffLeft
from services.portfolio.api.deps import Commands, Queries
from services.portfolio.api.schemas import DepartureIn, DepartureOut, RetentionIn
from services.shared.clock import dutch_today
from services.shared.errors import CommandRejected, NotFound
from services.shared.http import runtime_of
from services.shared.identity.access import Target
from services.shared.identity.http import Caller, Who

router = APIRouter(tags=["privacy"])
RECENT = timedelta(days=90)
"""How far back HR may date a departure: one older would be erased at once, unasked."""


@router.post("/staff/{staff_id}/departure", status_code=status.HTTP_201_CREATED)
async def record_departure(
    staff_id: UUID, body: DepartureIn, request: Request, cmd: Commands, q: Queries, who: Who
) -> DepartureOut:
    """The staff member left the board: their dossier is kept for the board's retention
    period after `left_on`, then erased without anyone asking (StaffLeft)."""
    board = await _board_of(who, staff_id)
    earliest = dutch_today() - RECENT
    if body.left_on < earliest:
        raise CommandRejected(
            f"left_on: before {earliest.isoformat()}; erasing someone who left that long ago"
            " is the privacy officer's decision (POST /staff/{staff_id}/erasure)"
        )
    await cmd.record_departure(StaffLeft(staff_id=staff_id, board_id=board, left_on=body.left_on))
    days = await _retention(request, q, board)
    return DepartureOut(
        staff_id=staff_id, left_on=body.left_on, erased_on=body.left_on + timedelta(days=days)
    )


@router.delete(
    "/staff/{staff_id}/departure",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,  # no body, so no content type claiming one
)
async def withdraw_departure(staff_id: UUID, cmd: Commands, who: Who) -> None:
    """The departure was a mistake, or the person came back: they are not erased for it
    (DepartureWithdrawn)."""
    board = await _board_of(who, staff_id)
    await cmd.record_departure(DepartureWithdrawn(staff_id=staff_id, board_id=board))


async def _board_of(who: Caller, staff_id: UUID) -> UUID:
    target = await who.allow_staff(staff_id)
    if target.board_id is None:
        raise NotFound(f"no staff member {staff_id} in the directory")
    return target.board_id


@router.get("/boards/{board_id}/retention")
async def retention(board_id: UUID, request: Request, q: Queries, who: Who) -> RetentionIn:
    """How long the board keeps a dossier after the person leaves."""
    who.allow(Target(board_id=board_id))
    return RetentionIn(after_leaving_days=await _retention(request, q, board_id))


@router.put("/boards/{board_id}/retention")
async def set_retention(board_id: UUID, body: RetentionIn, cmd: Commands, who: Who) -> RetentionIn:
    """The board's retention period after a person leaves, set by its privacy officer; it
    holds for everyone who left, also before it was set."""
    who.allow(Target(board_id=board_id))
    await cmd.set_retention(board_id, body.after_leaving_days)
    return body


async def _retention(request: Request, q: Queries, board_id: UUID) -> int:
    own = await q.retention_of(board_id)
    return runtime_of(request).settings.retention_after_leaving_days if own is None else own
