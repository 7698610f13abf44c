"""Enrollment's calendar feeds (RFC 5545): an enrollment's sessions, or a person's."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from services.enrollment.api.deps import Queries

router = APIRouter(tags=["calendar"])
CALENDAR = "text/calendar; charset=utf-8"
# Declared, so the OpenAPI document says what the feeds are (not the default JSON).
ICALENDAR: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An iCalendar feed (RFC 5545).",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/enrollments/{enrollment_id}/calendar.ics",
    response_class=Response,
    responses=ICALENDAR,
)
async def enrollment_calendar(enrollment_id: UUID, q: Queries) -> Response:
    return Response(await q.calendar(enrollment_id=enrollment_id), media_type=CALENDAR)


@router.get(
    "/staff/{staff_id}/calendar.ics",
    response_class=Response,
    responses=ICALENDAR,
)
async def staff_calendar(staff_id: UUID, q: Queries) -> Response:
    """The sessions the staff member holds a seat for; subscribe to it from any calendar."""
    return Response(await q.calendar(staff_id=staff_id), media_type=CALENDAR)
