"""Enrollment's HTTP commands for seats a school leader reserves for a team."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from services.enrollment.eligibility import StaffMember
from services.enrollment.reservations import Reservation, Reservations
from services.enrollment.schemas import Body, EnrollmentOut, TeamMembers
from services.shared.http import commands

router = APIRouter(tags=["reservations"])


class ReserveIn(Body):
    leader_id: UUID = Field(description="The school leader who reserves.")
    board_id: UUID
    seats: int = Field(ge=1, le=500)


class FillIn(Body):
    members: TeamMembers


class ReservationOut(BaseModel):
    reservation_id: UUID
    offering_id: UUID
    leader_id: UUID
    seats: int
    filled: int
    open: int = Field(description="Reserved seats without a name yet.")
    released: bool

    @classmethod
    def of(cls, r: Reservation) -> "ReservationOut":
        return cls(
            reservation_id=r.reservation_id,
            offering_id=r.offering_id,
            leader_id=r.leader_id,
            seats=r.seats,
            filled=r.filled,
            open=r.open,
            released=r.released,
        )


Service = Annotated[Reservations, Depends(commands(Reservations))]


@router.post("/offerings/{offering_id}/reservations", status_code=status.HTTP_201_CREATED)
async def reserve(offering_id: UUID, body: ReserveIn, svc: Service) -> ReservationOut:
    """Reserve seats for a team (SeatsReserved); they count as taken until filled or released."""
    return ReservationOut.of(
        await svc.reserve(offering_id, body.leader_id, body.board_id, body.seats)
    )


@router.get("/reservations/{reservation_id}")
async def get_reservation(reservation_id: UUID, svc: Service) -> ReservationOut:
    return ReservationOut.of(await svc.get(reservation_id))


@router.post("/reservations/{reservation_id}/fill")
async def fill(reservation_id: UUID, body: FillIn, svc: Service) -> list[EnrollmentOut]:
    """Put names on reserved seats: each member is enrolled (via reservation), all or none."""
    held = await svc.get(reservation_id)
    members = [StaffMember(m.staff_id, held.board_id, m.role, m.sector) for m in body.members]
    return [EnrollmentOut.of(e) for e in await svc.fill(reservation_id, members)]


@router.post("/reservations/{reservation_id}/release")
async def release(reservation_id: UUID, svc: Service) -> ReservationOut:
    """Give back the open seats (ReservationReleased); the waiting list moves up."""
    return ReservationOut.of(await svc.release(reservation_id))
