"""Calendar feeds (iCalendar): one event per session a person holds a seat for. UIDs are
stable (enrollment and session), and SEQUENCE rises with every change to the offering or
the enrollment, so a moved session moves in the calendar and a cancelled one is marked
cancelled. No I/O."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from icalendar import Calendar, Event

from contracts.values import EnrollmentStatus, OfferingDetails

PRODUCT = "-//huisacademie//enrollment//NL"
SHOWN = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.NOT_COMPLETED,
    EnrollmentStatus.CANCELLED,
)


@dataclass(frozen=True)
class Booking:
    enrollment_id: UUID
    status: EnrollmentStatus
    revision: int
    offering: OfferingDetails
    withdrawn: bool


def uid(enrollment_id: UUID, session_id: UUID | None) -> str:
    return f"{enrollment_id}.{session_id}@huisacademie"


def render(bookings: Iterable[Booking], name: str, stamp: datetime | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = stamp or datetime.now(UTC)
    for booking in bookings:
        if booking.status not in SHOWN:
            continue
        cancelled = booking.withdrawn or booking.status is EnrollmentStatus.CANCELLED
        for session in booking.offering.sessions:
            event = Event()
            event.add("uid", uid(booking.enrollment_id, session.session_id))
            # Withdrawal changes no version or revision, but it does change the entry.
            event.add("sequence", booking.offering.version + booking.revision + booking.withdrawn)
            event.add("dtstamp", stamp)
            event.add("dtstart", session.starts_at.astimezone(UTC))
            event.add("dtend", session.ends_at.astimezone(UTC))
            event.add("summary", booking.offering.title)
            event.add("location", session.location)
            event.add(
                "description", f"{booking.offering.academy_name} ({booking.offering.kind.value})"
            )
            event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
            calendar.add_component(event)
    return bytes(calendar.to_ical())
