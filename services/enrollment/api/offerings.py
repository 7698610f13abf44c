"""Enrollment's view of an offering: seats held and the waiting list."""

from uuid import UUID

from fastapi import APIRouter

from services.enrollment.api.deps import Queries
from services.enrollment.api.schemas import EnrollmentOut, OfferingSeats
from services.shared.identity.access import Scope, Target, reaches
from services.shared.identity.http import Who

router = APIRouter(tags=["offerings"])


@router.get("/offerings/{offering_id}")
async def offering_seats(offering_id: UUID, q: Queries, who: Who) -> OfferingSeats:
    """Enrollment's view of an offering: seats held and the waiting list, in order. Who
    holds them only the offering's academy sees; anyone else, their own place."""
    seats = await q.seats(offering_id)
    academy = Target(academy_id=seats.offering.details.academy_id)
    if not reaches(who.principal, Scope.THEIR_ACADEMIES, academy):
        mine = who.principal.staff_id
        seats.enrollments[:] = [e for e in seats.enrollments if e.staff_id == mine]
        seats.waiting[:] = [e for e in seats.waiting if e.staff_id == mine]
    return OfferingSeats(
        offering=seats.offering.snapshot,
        capacity=seats.offering.capacity,
        withdrawn=seats.offering.withdrawn,
        enrolled=seats.seated,
        waiting_list=[e.enrollment_id for e in seats.waiting],
        enrollments=[EnrollmentOut.of(e) for e in seats.enrollments],
    )
