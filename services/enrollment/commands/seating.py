"""What enrollment's commands and handlers share: who may enrol, and who moves up into a
freed seat."""

from collections.abc import Sequence
from dataclasses import dataclass

from contracts import Event
from contracts.values import EnrollmentStatus, Session
from services.enrollment.domain import enrollments
from services.enrollment.domain.eligibility import Clash, StaffMember, check_eligible, overlaps
from services.enrollment.domain.enrollments import Enrollment, Offering
from services.enrollment.store import Store
from services.shared.clock import now
from services.shared.errors import Conflict
from services.shared.unit_of_work import UnitOfWork

Unit = UnitOfWork[Store]


@dataclass(frozen=True)
class EnrollmentRequest:
    """One request to enrol."""

    staff: StaffMember
    key: str | None
    confirm_overlap: bool


async def admissible(
    store: Store, offering: Offering, staff: StaffMember, confirm_overlap: bool
) -> list[str]:
    """Raises when the person may not enrol; returns the overlaps they confirmed."""
    return admit(
        offering,
        EnrollmentRequest(staff, None, confirm_overlap),
        await store.live(offering.offering_id, staff.staff_id),
        await store.booked_sessions(staff.staff_id, offering.offering_id),
    )


def admit(
    offering: Offering,
    r: EnrollmentRequest,
    existing: Enrollment | None,
    booked: Sequence[tuple[str, Session]],
) -> list[str]:
    """Raises when the person may not enrol, given their live enrollment in the offering
    and the sessions they have booked elsewhere; returns the overlaps they confirmed."""
    check_eligible(offering.details, r.staff, now())
    if existing is not None:
        raise Conflict(
            f"staff member {r.staff.staff_id} already has an enrollment in offering"
            f" {offering.offering_id} ({existing.status.value}): {existing.enrollment_id}"
        )
    clashes = overlaps(offering.sessions, booked)
    if clashes and not r.confirm_overlap:
        raise Clash(clashes)
    return [f"overlaps {c}" for c in clashes]


async def promote(unit: Unit, offering: Offering, events: Sequence[Event]) -> None:
    """Emit `events`, plus an Enrolled for everyone a free seat now goes to."""
    seated = await unit.store.count_seated(offering.offering_id)
    waiting = await unit.store.with_status(offering.offering_id, EnrollmentStatus.WAITLISTED)
    promoted = enrollments.promote(offering, seated, waiting, now())
    await unit.store.update([e for e, _ in promoted])
    unit.emit([*events, *(ev for _, ev in promoted)])
