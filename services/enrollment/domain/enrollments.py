"""Enrollment's rules, without I/O: the way into an offering, capacity and the waiting
list, approval, cancellation, completion."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypedDict
from uuid import UUID

from contracts.enrollment import (
    AttendanceRecorded,
    CancelledFrom,
    Completed,
    Enrolled,
    EnrolledVia,
    EnrollmentCancelled,
    EnrollmentDeclined,
    EnrollmentRequested,
    InterestRegistered,
    NotCompleted,
    Waitlisted,
)
from contracts.values import EnrollmentStatus, OfferingDetails, OfferingSnapshot, Session
from services.shared.errors import Conflict


@dataclass(frozen=True)
class Offering:
    """Enrollment's copy of an offering, as the catalogue last described it."""

    details: OfferingDetails
    withdrawn: bool = False

    @property
    def offering_id(self) -> UUID:
        return self.details.offering_id

    @property
    def capacity(self) -> int | None:
        return self.details.capacity

    @property
    def sessions(self) -> tuple[Session, ...]:
        return self.details.sessions

    @property
    def snapshot(self) -> OfferingSnapshot:
        d = self.details
        first = min((s.starts_at for s in d.sessions), default=None)
        return OfferingSnapshot(
            offering_id=d.offering_id, title=d.title, academy_id=d.academy_id,
            academy_name=d.academy_name, kind=d.kind, study_hours=d.study_hours,
            domains=d.domains, goal_tags=d.goal_tags, credits=d.credits,
            first_session_on=first.date() if first else None,
        )  # fmt: skip

    def free_seats(self, enrolled: int) -> int | None:
        """Seats left given how many hold one; None when unlimited."""
        return None if self.capacity is None else max(self.capacity - enrolled, 0)


HOLDS_A_SEAT = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.NOT_COMPLETED,
)
CANCELLABLE = (
    EnrollmentStatus.INTERESTED,
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.WAITLISTED,
)


@dataclass(frozen=True)
class Credit:
    """What a completion earns: the hours, counted in the school year of the day."""

    on: date
    hours: float
    """The offering's study hours, unless the academy recorded others."""


@dataclass(frozen=True, slots=True)
class Enrollment:
    enrollment_id: UUID
    offering_id: UUID
    staff_id: UUID
    status: EnrollmentStatus
    """Where it stands: every change of it takes the offering's row lock."""
    credit: Credit | None = None
    """Set on completion, and only then."""


SeatEvent = Enrolled | Waitlisted
JoinEvent = SeatEvent | InterestRegistered | EnrollmentRequested


class _About(TypedDict):
    """What every enrollment event says about whom and what."""

    enrollment_id: UUID
    staff_id: UUID
    offering: OfferingSnapshot


def _common(offering: Offering, e: Enrollment) -> _About:
    return {"enrollment_id": e.enrollment_id, "staff_id": e.staff_id, "offering": offering.snapshot}


def join(
    offering: Offering, e: Enrollment, enrolled: int, now: datetime
) -> tuple[Enrollment, JoinEvent]:
    """The way in: the interest list while the offering has no dates, a request when it
    needs the school leader's approval, otherwise a seat or the waiting list."""
    if offering.withdrawn:
        raise Conflict("the offering was withdrawn")
    if not offering.sessions:
        return replace(e, status=EnrollmentStatus.INTERESTED), InterestRegistered(
            **_common(offering, e), registered_at=now
        )
    if offering.details.requires_approval:
        return replace(e, status=EnrollmentStatus.REQUESTED), EnrollmentRequested(
            **_common(offering, e), requested_at=now
        )
    return seat(offering, e, enrolled, now, EnrolledVia.DIRECT)


def seat(
    offering: Offering, e: Enrollment, enrolled: int, now: datetime, via: EnrolledVia
) -> tuple[Enrollment, SeatEvent]:
    """A seat when one is free, else a place on the waiting list."""
    free = offering.free_seats(enrolled)
    if free is None or free > 0:
        return replace(e, status=EnrollmentStatus.ENROLLED), Enrolled(
            **_common(offering, e), via=via, enrolled_at=now
        )
    return replace(e, status=EnrollmentStatus.WAITLISTED), Waitlisted(
        **_common(offering, e), waitlisted_at=now
    )


def approve(
    offering: Offering, e: Enrollment, enrolled: int, now: datetime, by: UUID
) -> tuple[Enrollment, SeatEvent]:
    _require(e, EnrollmentStatus.REQUESTED, "approved")
    if offering.withdrawn:
        raise Conflict("the offering was withdrawn")
    approved, event = seat(offering, e, enrolled, now, EnrolledVia.DIRECT)
    return approved, event.model_copy(update={"approved_by": by})


def decline(
    offering: Offering, e: Enrollment, by: UUID, reason: str, now: datetime
) -> tuple[Enrollment, EnrollmentDeclined]:
    _require(e, EnrollmentStatus.REQUESTED, "declined")
    event = EnrollmentDeclined(
        **_common(offering, e), declined_by=by, reason=reason, declined_at=now
    )
    return replace(e, status=EnrollmentStatus.DECLINED), event


def cancel(
    offering: Offering, e: Enrollment, reason: str, now: datetime
) -> tuple[Enrollment, EnrollmentCancelled]:
    if e.status not in CANCELLABLE:
        raise Conflict(f"the enrollment is {e.status.value} and cannot be cancelled")
    event = EnrollmentCancelled(
        **_common(offering, e),
        cancelled_from=CancelledFrom(e.status.value),
        reason=reason,
        cancelled_at=now,
    )
    return replace(e, status=EnrollmentStatus.CANCELLED), event


def promote(
    offering: Offering, enrolled: int, waiting: list[Enrollment], now: datetime
) -> list[tuple[Enrollment, Enrolled]]:
    """Give freed seats to the first on the waiting list, in order."""
    if offering.withdrawn:
        return []
    free = offering.free_seats(enrolled)
    chosen = waiting if free is None else waiting[:free]
    out = []
    for w in chosen:
        promoted, event = seat(offering, w, 0, now, EnrolledVia.WAITLIST)
        assert isinstance(event, Enrolled)
        out.append((promoted, event))
    return out


def offer_seats(
    offering: Offering, enrolled: int, interested: list[Enrollment], now: datetime
) -> list[tuple[Enrollment, JoinEvent]]:
    """Dates were added: the interest list turns, in order, into requests (when approval
    is needed) or seats and then places on the waiting list."""
    if offering.withdrawn or not offering.sessions:
        return []
    out: list[tuple[Enrollment, JoinEvent]] = []
    for e in interested:
        if offering.details.requires_approval:
            out.append(
                (
                    replace(e, status=EnrollmentStatus.REQUESTED),
                    EnrollmentRequested(**_common(offering, e), requested_at=now),
                )
            )
            continue
        moved, event = seat(offering, e, enrolled, now, EnrolledVia.INTEREST_LIST)
        enrolled += moved.status is EnrollmentStatus.ENROLLED
        out.append((moved, event))
    return out


def complete(
    offering: Offering,
    e: Enrollment,
    on: date,
    hours: float | None,
    *,
    reason: str = "",
    attended_share: float | None = None,
) -> tuple[Enrollment, Completed]:
    if e.status not in (EnrollmentStatus.ENROLLED, EnrollmentStatus.NOT_COMPLETED):
        raise Conflict(
            f"only an enrolled staff member can complete; this enrollment is {e.status.value}"
        )
    # Kept to two decimals, once, here: as enrollment stores them (numeric(8, 2) rounds half
    # away from zero) and as the portfolio credits them (round(), half to even), so that
    # both say the same (0.125 would be 0.13 here and 0.12 there).
    credited = round(offering.details.study_hours if hours is None else hours, 2)
    event = Completed(
        **_common(offering, e),
        completed_on=on,
        hours=credited,
        reason=reason,
        attended_share=attended_share,
    )
    return replace(e, status=EnrollmentStatus.COMPLETED, credit=Credit(on, credited)), event


def not_complete(
    offering: Offering,
    e: Enrollment,
    on: date,
    *,
    reason: str = "",
    attended_share: float | None = None,
) -> tuple[Enrollment, NotCompleted]:
    _require(e, EnrollmentStatus.ENROLLED, "recorded as not completed")
    event = NotCompleted(
        **_common(offering, e), recorded_on=on, reason=reason, attended_share=attended_share
    )
    return replace(e, status=EnrollmentStatus.NOT_COMPLETED), event


def attendance_recorded(
    offering: Offering, e: Enrollment, session: Session, attended: bool, now: datetime
) -> AttendanceRecorded:
    assert session.session_id is not None
    return AttendanceRecorded(
        **_common(offering, e), session_id=session.session_id,
        session_starts_at=session.starts_at, attended=attended, recorded_at=now,
    )  # fmt: skip


def _require(e: Enrollment, status: EnrollmentStatus, action: str) -> None:
    if e.status is not status:
        raise Conflict(f"the enrollment is {e.status.value} and cannot be {action}")
