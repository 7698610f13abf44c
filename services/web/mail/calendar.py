"""The calendar entry a message carries (iCalendar, RFC 5546): a REQUEST with the
offering's sessions for a place or a move, a CANCEL for a withdrawal. Each session keeps
one UID (the enrollment's and the session's, as in the calendar feed) and SEQUENCE follows
the offering's version, so a calendar updates the entry it has instead of adding one.
No I/O."""

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr
from uuid import UUID

from icalendar import Calendar, Event

from contracts.values import OfferingDetails, Session
from services.web.mail.notices import CalendarEntry

PRODUCT = "-//huisacademie//web mail//NL"
REQUEST, CANCEL = "REQUEST", "CANCEL"


def uid(enrollment_id: UUID, session: Session, position: int) -> str:
    # A session without an id (never, from the catalogue) keeps its place in the list.
    return f"{enrollment_id}.{session.session_id or position}@huisacademie"


def entry(
    offering: OfferingDetails,
    enrollment_id: UUID,
    attendee: tuple[str, str],
    sender: str,
    *,
    cancel: bool = False,
    removed: Iterable[Session] = (),
    stamp: datetime | None = None,
) -> CalendarEntry:
    """The offering's sessions for `attendee` (name, address), organised by the academy
    from `sender`'s address; `removed` sessions (an update dropped them) go as cancelled."""
    method = CANCEL if cancel else REQUEST
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    stamp = stamp or datetime.now(UTC)
    # A cancellation is a change of its own: it must outrank the last REQUEST's SEQUENCE.
    sequence = offering.version + cancel
    sessions = [*((s, cancel) for s in offering.sessions), *((s, True) for s in removed)]
    for position, (session, gone) in enumerate(sessions):
        event = Event()
        event.add("uid", uid(enrollment_id, session, position))
        event.add("sequence", sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", offering.title)
        if session.location:
            event.add("location", session.location)
        event.add("description", offering.academy_name)
        event.add("status", "CANCELLED" if gone else "CONFIRMED")
        event.add("organizer", f"mailto:{parseaddr(sender)[1]}", {"CN": offering.academy_name})
        name, address = attendee
        event.add(
            "attendee",
            f"mailto:{address}",
            {"CN": name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"},
        )
        calendar.add_component(event)
    return CalendarEntry(method, bytes(calendar.to_ical()))
