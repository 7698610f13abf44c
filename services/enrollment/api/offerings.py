"""Enrollment's view of an offering: seats held and the waiting list."""

from uuid import UUID

from fastapi import APIRouter

from services.enrollment.api.deps import Queries
from services.enrollment.api.schemas import EnrollmentOut, OfferingSeats

router = APIRouter(tags=["offerings"])


@router.get("/offerings/{offering_id}")
async def offering_seats(offering_id: UUID, q: Queries) -> OfferingSeats:
    """Enrollment's view of an offering: seats held and the waiting list, in order."""
    seats = await q.seats(offering_id)
    return OfferingSeats(
        offering=seats.offering.snapshot,
        capacity=seats.offering.capacity,
        withdrawn=seats.offering.withdrawn,
        enrolled=seats.seated,
        waiting_list=[e.enrollment_id for e in seats.waiting],
        enrollments=[EnrollmentOut.of(e) for e in seats.enrollments],
    )
