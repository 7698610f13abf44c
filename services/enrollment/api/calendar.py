"""Enrollment's calendar feeds (RFC 5545): an enrollment's sessions, or a person's at a
secret address they can renew."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.enrollment.api.access import reached_enrollment
from services.enrollment.api.deps import Queries
from services.shared.identity.http import Who

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
async def enrollment_calendar(enrollment_id: UUID, q: Queries, who: Who) -> Response:
    await reached_enrollment(who, q, enrollment_id)
    return Response(await q.calendar(enrollment_id=enrollment_id), media_type=CALENDAR)


class CalendarFeed(BaseModel):
    url: str = Field(description="Secret: whoever has it sees your sessions. Renew to revoke.")


@router.post("/staff/{staff_id}/calendar-feed")
async def renew_calendar_feed(
    staff_id: UUID, q: Queries, who: Who, request: Request
) -> CalendarFeed:
    """A new secret address for your calendar feed (the sessions you hold a seat for), to
    subscribe to from any calendar application; the previous address stops working."""
    await who.allow_staff(staff_id)
    secret = await q.rotate_calendar_feed(staff_id)
    return CalendarFeed(url=str(request.url_for("calendar_feed", secret=secret)))


@router.get("/calendar-feeds/{secret}.ics", response_class=Response, responses=ICALENDAR)
async def calendar_feed(secret: str, q: Queries) -> Response:
    """A person's calendar feed, found by its secret: no token (calendar applications
    cannot send one)."""
    return Response(await q.calendar_feed(secret), media_type=CALENDAR)
