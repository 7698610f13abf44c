"""Who is told what, as events come in: the notices an event leads to. No I/O; time comes
in as a parameter."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from contracts.catalogue import CourseUpdated
from contracts.enrollment import Enrolled, EnrolledVia, EnrollmentRequested
from contracts.values import OfferingDetails, Session
from services.web.mail.notices import Notice, NoticeKind, Seat, fingerprint, notice_id

STALE = timedelta(days=2)
"""A place or a request longer ago than this is not mailed about: a new web database (a
new consumer group) reads enrollment's history from the start, and nobody should hear
again of a place they got months ago. Moves and withdrawals are mailed while a session
is still ahead."""
CHANGES_TO_SESSIONS = frozenset({"sessions"})
"""The fields of CourseUpdated.changed that move, add or drop a session (its dates, times
and location are all in `sessions`)."""


def recent(at: datetime, now: datetime) -> bool:
    return now - at <= STALE


def ahead(sessions: Iterable[Session], now: datetime) -> bool:
    return any(s.ends_at > now for s in sessions)


def moved_up(event: Enrolled, now: datetime) -> bool:
    """A seat that came free went to this person on the waiting list, lately."""
    return event.via is EnrolledVia.WAITLIST and recent(event.enrolled_at, now)


def promoted(event: Enrolled) -> Notice:
    return Notice(
        notice_id(NoticeKind.PROMOTED, fingerprint(event), event.staff_id),
        NoticeKind.PROMOTED,
        event.staff_id,
        event.offering.offering_id,
        event.enrollment_id,
    )


def approval_asked(event: EnrollmentRequested) -> Notice:
    return Notice(
        notice_id(NoticeKind.APPROVAL_ASKED, fingerprint(event), event.staff_id),
        NoticeKind.APPROVAL_ASKED,
        event.staff_id,
        event.offering.offering_id,
        event.enrollment_id,
    )


def dropped(before: OfferingDetails | None, after: OfferingDetails) -> tuple[Session, ...]:
    """The sessions an update dropped (by their ids; one without an id cannot be followed)."""
    if before is None:
        return ()
    kept = {s.session_id for s in after.sessions}
    return tuple(s for s in before.sessions if s.session_id and s.session_id not in kept)


def sessions_changed(
    event: CourseUpdated, before: OfferingDetails | None, seats: Sequence[Seat], now: datetime
) -> list[Notice]:
    """Everyone with a seat or on the waiting list, when the update touched the sessions
    and one of them (now or before) is still ahead."""
    if not CHANGES_TO_SESSIONS & set(event.changed):
        return []
    removed = dropped(before, event.offering)
    if not ahead((*event.offering.sessions, *removed), now):
        return []
    occasion = f"{event.offering.offering_id}@{event.offering.version}"
    kind = NoticeKind.SESSIONS_CHANGED
    return [_tell(kind, occasion, s, event.offering.offering_id, removed) for s in seats]


def withdrawn(
    offering_id: UUID, details: OfferingDetails | None, seats: Sequence[Seat], now: datetime
) -> list[Notice]:
    """Everyone with a seat or on the waiting list, unless every session is past. The same
    notice whether the withdrawal or the cancellation that follows it is seen first."""
    if details is not None and details.sessions and not ahead(details.sessions, now):
        return []
    return [_tell(NoticeKind.WITHDRAWN, str(offering_id), s, offering_id) for s in seats]


def _tell(
    kind: NoticeKind,
    occasion: str,
    seat: Seat,
    offering_id: UUID,
    removed: tuple[Session, ...] = (),
) -> Notice:
    """A notice to the staff member in the seat."""
    return Notice(
        notice_id(kind, occasion, seat.staff_id), kind, seat.staff_id, offering_id,
        seat.enrollment_id, seat.waitlisted, removed,
    )  # fmt: skip
