"""Enrollment's rules, without I/O: capacity, the waiting list, cancellation, completion."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from contracts.enrollment import (
    CancelledFrom,
    Completed,
    Enrolled,
    EnrolledVia,
    EnrollmentCancelled,
    Waitlisted,
)
from contracts.values import OfferingDetails, OfferingSnapshot
from services.shared.errors import Conflict


@dataclass(frozen=True)
class Offering:
    """Enrollment's copy of an offering."""

    snapshot: OfferingSnapshot
    capacity: int | None
    withdrawn: bool = False

    @property
    def offering_id(self) -> UUID:
        return self.snapshot.offering_id

    def free_seats(self, enrolled: int) -> int | None:
        """Seats left given how many are enrolled; None when unlimited."""
        return None if self.capacity is None else max(self.capacity - enrolled, 0)


def offering_from(details: OfferingDetails) -> Offering:
    first = min((s.starts_at for s in details.sessions), default=None)
    snapshot = OfferingSnapshot(
        offering_id=details.offering_id,
        title=details.title,
        academy_id=details.academy_id,
        academy_name=details.academy_name,
        kind=details.kind,
        study_hours=details.study_hours,
        domains=details.domains,
        goal_tags=details.goal_tags,
        first_session_on=first.date() if first else None,
    )
    return Offering(snapshot=snapshot, capacity=details.capacity)


class Status(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Enrollment:
    enrollment_id: UUID
    offering_id: UUID
    staff_id: UUID
    status: Status
    completed_on: date | None = None
    hours: float | None = None


def enrol(
    offering: Offering, enrollment_id: UUID, staff_id: UUID, enrolled: int, now: datetime
) -> tuple[Enrollment, Enrolled | Waitlisted]:
    """A seat when one is free, else a place on the waiting list."""
    if offering.withdrawn:
        raise Conflict("the offering was withdrawn")
    free = offering.free_seats(enrolled)
    common = {"enrollment_id": enrollment_id, "staff_id": staff_id, "offering": offering.snapshot}
    if free is None or free > 0:
        enrollment = Enrollment(enrollment_id, offering.offering_id, staff_id, Status.ENROLLED)
        return enrollment, Enrolled(**common, via=EnrolledVia.DIRECT, enrolled_at=now)
    enrollment = Enrollment(enrollment_id, offering.offering_id, staff_id, Status.WAITLISTED)
    return enrollment, Waitlisted(**common, waitlisted_at=now)


def cancel(
    offering: Offering, enrollment: Enrollment, reason: str, now: datetime
) -> tuple[Enrollment, EnrollmentCancelled]:
    if enrollment.status not in (Status.ENROLLED, Status.WAITLISTED):
        raise Conflict(f"the enrollment is {enrollment.status.value} and cannot be cancelled")
    event = EnrollmentCancelled(
        enrollment_id=enrollment.enrollment_id,
        staff_id=enrollment.staff_id,
        offering=offering.snapshot,
        cancelled_from=CancelledFrom(enrollment.status.value),
        reason=reason,
        cancelled_at=now,
    )
    return replace(enrollment, status=Status.CANCELLED), event


def promote(
    offering: Offering, enrolled: int, waiting: list[Enrollment], now: datetime
) -> list[tuple[Enrollment, Enrolled]]:
    """Give freed seats to the first on the waiting list, in order."""
    if offering.withdrawn:
        return []
    free = offering.free_seats(enrolled)
    chosen = waiting if free is None else waiting[:free]
    return [
        (
            replace(w, status=Status.ENROLLED),
            Enrolled(
                enrollment_id=w.enrollment_id,
                staff_id=w.staff_id,
                offering=offering.snapshot,
                via=EnrolledVia.WAITLIST,
                enrolled_at=now,
            ),
        )
        for w in chosen
    ]


def complete(
    offering: Offering, enrollment: Enrollment, on: date, hours: float | None
) -> tuple[Enrollment, Completed]:
    if enrollment.status is not Status.ENROLLED:
        raise Conflict(
            "only an enrolled staff member can complete;"
            f" this enrollment is {enrollment.status.value}"
        )
    credited = offering.snapshot.study_hours if hours is None else hours
    event = Completed(
        enrollment_id=enrollment.enrollment_id,
        staff_id=enrollment.staff_id,
        offering=offering.snapshot,
        completed_on=on,
        hours=credited,
    )
    return replace(enrollment, status=Status.COMPLETED, completed_on=on, hours=credited), event
