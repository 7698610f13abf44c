"""Enrollment's HTTP API for seats a school leader reserves for a team."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Response, status

from services.enrollment.api.access import team_of
from services.enrollment.api.deps import Queries, Reservations
from services.enrollment.api.schemas import EnrollmentOut, FillIn, ReservationOut, ReserveIn
from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.domain.reservations import Reservation
from services.enrollment.queries import EnrollmentQueries
from services.shared.identity.access import Target
from services.shared.identity.http import Caller, Who

router = APIRouter(tags=["reservations"])


@router.post(
    "/offerings/{offering_id}/reservations",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "What an earlier request with the same Idempotency-Key made"}},
)
async def reserve(
    offering_id: UUID,
    body: ReserveIn,
    cmd: Reservations,
    response: Response,
    who: Who,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> ReservationOut:
    """Reserve seats for a team (SeatsReserved); they count as taken until filled or released.
    An Idempotency-Key makes a request safe to send again: the same key gets the same
    reservation."""
    leader = who.acts_as(body.leader_id, "leader_id")
    board = who.own_board(body.board_id)
    held, created = await cmd.reserve(offering_id, leader, board, body.seats, idempotency_key)
    if not created:
        response.status_code = status.HTTP_200_OK
    return ReservationOut.of(held)


@router.get("/reservations/{reservation_id}")
async def get_reservation(reservation_id: UUID, q: Queries, who: Who) -> ReservationOut:
    return ReservationOut.of(await _reached(who, q, reservation_id))


async def _reached(who: Caller, q: EnrollmentQueries, reservation_id: UUID) -> Reservation:
    """The reservation, if the caller reaches it: its leader, or the offering's academy."""
    held = await q.reservation(reservation_id)
    academy = await q.academy_of(held.offering_id)
    who.allow(Target(staff_id=held.leader_id, board_id=held.board_id, academy_id=academy))
    return held


@router.post("/reservations/{reservation_id}/fill")
async def fill(
    reservation_id: UUID, body: FillIn, cmd: Reservations, q: Queries, who: Who
) -> list[EnrollmentOut]:
    """Put names on reserved seats: each member is enrolled (via reservation), all or none."""
    held = await _reached(who, q, reservation_id)
    members = [StaffMember(m.staff_id, held.board_id, m.role, m.sector) for m in body.members]
    await team_of(who, members)
    return [EnrollmentOut.of(e) for e in await cmd.fill(reservation_id, members)]


@router.post("/reservations/{reservation_id}/release")
async def release(reservation_id: UUID, cmd: Reservations, q: Queries, who: Who) -> ReservationOut:
    """Give back the open seats (ReservationReleased); the waiting list moves up."""
    await _reached(who, q, reservation_id)
    return ReservationOut.of(await cmd.release(reservation_id))
