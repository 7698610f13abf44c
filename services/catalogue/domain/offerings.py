"""The catalogue's rules for offerings, without I/O."""

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from contracts.catalogue import CourseOffered, CourseUpdated, CourseWithdrawn
from contracts.values import OfferingDetails, Session
from services.shared.errors import CommandRejected, Conflict

NewId = Callable[[], UUID]


@dataclass(frozen=True)
class Academy:
    academy_id: UUID
    board_id: UUID
    name: str


class OfferingStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Offering:
    details: OfferingDetails
    status: OfferingStatus = OfferingStatus.PUBLISHED


@dataclass(frozen=True)
class OfferingView:
    """An offering as readers see it: with the seats its enrollments hold."""

    offering: Offering
    seats_taken: int = 0

    @property
    def seats_free(self) -> int | None:
        """None when seats are unlimited; never below zero, also after capacity went down."""
        capacity = self.offering.details.capacity
        return None if capacity is None else max(capacity - self.seats_taken, 0)


FIRST_YEAR, LAST_YEAR = 1900, 9000
"""Instants an offering names lie in these years (as the portfolio's as-of dates do)."""
MAX_OFFSET = timedelta(hours=14)
"""The widest UTC offset in use (Kiribati); PostgreSQL refuses offsets beyond 15:59, and
one stored session it cannot read would break every date search."""


def check_instant(name: str, at: datetime) -> None:
    """A time an academy can mean: an offset in use, in whole minutes, in a sane year."""
    offset = at.utcoffset()
    if offset is None or abs(offset) > MAX_OFFSET or offset % timedelta(minutes=1):
        raise CommandRejected(
            f"{name}: the UTC offset must be whole minutes between -14:00 and +14:00,"
            f" got {at.isoformat()}"
        )
    if not FIRST_YEAR <= at.year <= LAST_YEAR:
        raise CommandRejected(
            f"{name}: must lie between the years {FIRST_YEAR} and {LAST_YEAR}, got {at.isoformat()}"
        )


def check_sessions(sessions: tuple[Session, ...]) -> None:
    for number, session in enumerate(sessions):
        check_instant(f"sessions[{number}].starts_at", session.starts_at)
        check_instant(f"sessions[{number}].ends_at", session.ends_at)
        if session.ends_at <= session.starts_at:
            raise CommandRejected(f"sessions[{number}]: ends_at must be after starts_at")


def check_window(details: OfferingDetails) -> None:
    opens, closes = details.enrolment_opens, details.enrolment_closes
    for name, at in (("enrolment_opens", opens), ("enrolment_closes", closes)):
        if at is not None:
            check_instant(name, at)
    if opens is not None and closes is not None and opens >= closes:
        raise CommandRejected("enrolment_opens must be before enrolment_closes")


def identify_sessions(
    sessions: tuple[Session, ...],
    known: Collection[UUID] | None = None,
    new_id: NewId = uuid4,
) -> tuple[Session, ...]:
    """Give each session without an id a new one; an id given must appear once and, when
    `known` is given (an update), be one of the offering's current sessions."""
    given = [s.session_id for s in sessions if s.session_id is not None]
    twice = sorted({str(i) for i in given if given.count(i) > 1})
    if twice:
        raise CommandRejected(f"sessions: session_id given more than once: {', '.join(twice)}")
    if known is not None:
        unknown = [str(i) for i in given if i not in known]
        if unknown:
            raise CommandRejected(
                f"sessions: not a session of this offering: {', '.join(unknown)}; "
                "leave session_id out for a new session"
            )
    return tuple(
        s if s.session_id is not None else s.model_copy(update={"session_id": new_id()})
        for s in sessions
    )


def in_order(details: OfferingDetails) -> OfferingDetails:
    """The offering with its sessions and window checked, and sessions sorted by start."""
    check_sessions(details.sessions)
    check_window(details)
    ordered = tuple(sorted(details.sessions, key=lambda s: s.starts_at))
    return (
        details if ordered == details.sessions else details.model_copy(update={"sessions": ordered})
    )


def publish(details: OfferingDetails, new_id: NewId = uuid4) -> tuple[Offering, CourseOffered]:
    """A new offering, at version 1, each session with an id."""
    check_sessions(details.sessions)
    sessions = identify_sessions(details.sessions, new_id=new_id)
    details = in_order(details.model_copy(update={"sessions": sessions, "version": 1}))
    return Offering(details), CourseOffered(offering=details)


def update(
    offering: Offering, changes: dict[str, Any], new_id: NewId = uuid4
) -> tuple[Offering, CourseUpdated | None]:
    """Apply changed fields; the version goes up by one; no event when nothing changed."""
    if offering.status is OfferingStatus.WITHDRAWN:
        raise Conflict("the offering was withdrawn and can no longer be changed")
    fixed = sorted(set(changes) & {"offering_id", "academy_id", "board_id", "version"})
    if fixed:
        raise CommandRejected(f"{', '.join(fixed)}: set by the catalogue, not changeable")
    old = offering.details
    details = OfferingDetails.model_validate({**old.model_dump(), **changes})
    if "sessions" in changes:
        check_sessions(details.sessions)
        known = {s.session_id for s in old.sessions if s.session_id is not None}
        sessions = identify_sessions(details.sessions, known, new_id)
        details = details.model_copy(update={"sessions": sessions})
    details = in_order(details)
    changed = tuple(sorted(f for f in changes if getattr(details, f) != getattr(old, f)))
    if not changed:
        return offering, None
    details = details.model_copy(update={"version": old.version + 1})
    return replace(offering, details=details), CourseUpdated(offering=details, changed=changed)


def withdraw(offering: Offering, reason: str) -> tuple[Offering, CourseWithdrawn]:
    if offering.status is OfferingStatus.WITHDRAWN:
        raise Conflict("the offering was already withdrawn")
    event = CourseWithdrawn(
        offering_id=offering.details.offering_id,
        academy_id=offering.details.academy_id,
        reason=reason,
    )
    return replace(offering, status=OfferingStatus.WITHDRAWN), event
