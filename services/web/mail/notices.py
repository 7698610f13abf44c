"""What people are told, as data: a notice (someone should hear of something that happened)
and the message made of it; and the ids that make both happen once. No I/O."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from contracts import Event
from contracts.values import OfferingDetails, Session

NAMESPACE = uuid5(NAMESPACE_URL, "huisacademie:mail")
"""Of the mail's ids (uuid5)."""


class NoticeKind(StrEnum):
    PROMOTED = "promoted"
    """A staff member moved up from the waiting list: told, with the calendar entry."""
    APPROVAL_ASKED = "approval_asked"
    """A staff member asked to enrol: their school leaders are asked to approve."""
    SESSIONS_CHANGED = "sessions_changed"
    """An offering's sessions moved (or were added or dropped): its participants are told."""
    WITHDRAWN = "withdrawn"
    """An offering was withdrawn: its participants are told, the calendar entry cancelled."""


@dataclass(frozen=True)
class Notice:
    """Someone should hear of something: `staff_id` is the one told, except for an
    approval, where it is the one who asked (their school leaders are told)."""

    id: UUID
    kind: NoticeKind
    staff_id: UUID
    offering_id: UUID
    enrollment_id: UUID | None = None
    waitlisted: bool = False
    """On the waiting list, not holding a seat: told, but given no calendar entry."""
    removed: tuple[Session, ...] = ()
    """Sessions an update dropped: cancelled in the calendar entry."""
    created_at: datetime | None = None


@dataclass(frozen=True)
class Seat:
    """A staff member's seat in an offering, or their place on its waiting list."""

    enrollment_id: UUID
    staff_id: UUID
    waitlisted: bool = False


@dataclass(frozen=True)
class Offering:
    """An offering as the web knows it: its title always, its details once the catalogue's
    event was seen."""

    offering_id: UUID
    title: str
    academy_name: str
    details: OfferingDetails | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class CalendarEntry:
    method: str
    """REQUEST (a place, a move) or CANCEL (a withdrawal): the MIME part says it too."""
    content: bytes


@dataclass(frozen=True)
class Mail:
    """One message, as the outbox keeps it until it is sent."""

    id: UUID
    staff_id: UUID
    recipient: str
    subject: str
    body: str
    calendar: CalendarEntry | None = None
    about: UUID | None = None
    """The staff member a message to someone else is about (erased with them)."""


def fingerprint(event: Event) -> str:
    """What identifies an event's fact: its type and its body, which a redelivery repeats
    byte for byte. (The handlers see the event, not its envelope; the inbox has dropped a
    redelivered envelope already, and this also drops the same fact published twice.)"""
    return str(uuid5(NAMESPACE, f"{event.ce_type}\n{event.model_dump_json()}"))


def notice_id(kind: NoticeKind, occasion: str, staff_id: UUID) -> UUID:
    """One notice per kind, occasion and person: an offering's withdrawal seen twice (from
    the catalogue, and from the cancellation that follows it) tells each person once."""
    return uuid5(NAMESPACE, f"{kind}:{occasion}:{staff_id}")


def mail_id(notice: UUID, recipient: UUID) -> UUID:
    """One message per notice and recipient: making a notice into messages again (after a
    crash before its commit) makes none twice."""
    return uuid5(notice, str(recipient))
