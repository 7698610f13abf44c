"""Enrollment's HTTP reads: enrollments, seats, history and calendar feeds."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.enrollment.queries import Queries
from services.enrollment.schemas import EnrollmentOut, HistoryItem, OfferingSeats
from services.shared.http import runtime_of

router = APIRouter()
CALENDAR = "text/calendar; charset=utf-8"
# Declared, so the OpenAPI document says what the feeds are (not the default JSON).
ICALENDAR: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An iCalendar feed (RFC 5545).",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    }
}


async def queries(request: Request) -> Queries:  # async: no worker thread per request
    return Queries(runtime_of(request).pool)


Read = Annotated[Queries, Depends(queries)]


@router.get("/enrollments/{enrollment_id}", tags=["enrollments"])
async def get_enrollment(enrollment_id: UUID, q: Read) -> EnrollmentOut:
    return EnrollmentOut.of(await q.enrollment(enrollment_id))


@router.get("/enrollments/{enrollment_id}/history", tags=["enrollments"])
async def history(enrollment_id: UUID, q: Read) -> list[HistoryItem]:
    """Every event of the enrollment, oldest first."""
    return [HistoryItem(**item) for item in await q.history(enrollment_id)]


@router.get(
    "/enrollments/{enrollment_id}/calendar.ics",
    tags=["calendar"],
    response_class=Response,
    responses=ICALENDAR,
)
async def enrollment_calendar(enrollment_id: UUID, q: Read) -> Response:
    return Response(await q.calendar(enrollment_id=enrollment_id), media_type=CALENDAR)


@router.get(
    "/staff/{staff_id}/calendar.ics",
    tags=["calendar"],
    response_class=Response,
    responses=ICALENDAR,
)
async def staff_calendar(staff_id: UUID, q: Read) -> Response:
    """The sessions the staff member holds a seat for; subscribe to it from any calendar."""
    return Response(await q.calendar(staff_id=staff_id), media_type=CALENDAR)


@router.get("/staff/{staff_id}/enrollments", tags=["enrollments"])
async def staff_enrollments(staff_id: UUID, q: Read) -> list[EnrollmentOut]:
    return [EnrollmentOut.of(e) for e in await q.of_staff(staff_id)]


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def offering_seats(offering_id: UUID, q: Read) -> OfferingSeats:
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
