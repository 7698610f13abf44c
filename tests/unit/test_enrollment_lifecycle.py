"""Enrollment: approval, declining and cancellation."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from contracts.enrollment import CancelledFrom, Enrolled, EnrolledVia, Waitlisted
from contracts.values import EnrollmentStatus, OfferingDetails
from services.enrollment.domain.enrollments import (
    CANCELLABLE,
    Enrollment,
    Offering,
    approve,
    cancel,
    decline,
)
from services.shared.errors import Conflict
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


def an_offering(capacity: int | None = 2, *, withdrawn: bool = False, **extra: object) -> Offering:
    base = offering_details(capacity=capacity).model_dump()
    return Offering(
        OfferingDetails.model_validate(base | {"requires_approval": True} | extra), withdrawn
    )


def an_enrollment(offering: Offering, status: EnrollmentStatus) -> Enrollment:
    return Enrollment(uuid4(), offering.offering_id, uuid4(), status)


def others(*allowed: EnrollmentStatus) -> list[EnrollmentStatus]:
    return [s for s in EnrollmentStatus if s not in allowed]


@pytest.mark.parametrize(
    ("enrolled", "status", "kind"),
    [(1, EnrollmentStatus.ENROLLED, Enrolled), (2, EnrollmentStatus.WAITLISTED, Waitlisted)],
)
def test_approval_gives_a_seat_or_a_place_on_the_waiting_list(
    enrolled: int, status: EnrollmentStatus, kind: type[Enrolled] | type[Waitlisted]
) -> None:
    offering = an_offering(capacity=2)
    e = an_enrollment(offering, EnrollmentStatus.REQUESTED)
    leader = uuid4()
    approved, event = approve(offering, e, enrolled, NOW, leader)
    assert (approved.enrollment_id, approved.status) == (e.enrollment_id, status)
    assert isinstance(event, kind)
    assert event.approved_by == leader
    assert (event.staff_id, event.offering) == (e.staff_id, offering.snapshot)
    if isinstance(event, Enrolled):
        assert (event.via, event.enrolled_at) == (EnrolledVia.DIRECT, NOW)


@pytest.mark.parametrize("status", others(EnrollmentStatus.REQUESTED))
def test_only_a_request_can_be_approved(status: EnrollmentStatus) -> None:
    offering = an_offering()
    with pytest.raises(Conflict, match=f"is {status.value} and cannot be approved"):
        approve(offering, an_enrollment(offering, status), 0, NOW, uuid4())


def test_approving_a_request_for_a_withdrawn_offering_is_a_conflict() -> None:
    offering = an_offering(withdrawn=True)
    with pytest.raises(Conflict, match="withdrawn"):
        approve(offering, an_enrollment(offering, EnrollmentStatus.REQUESTED), 0, NOW, uuid4())


def test_declining_records_who_and_why() -> None:
    offering, leader = an_offering(), uuid4()
    e = an_enrollment(offering, EnrollmentStatus.REQUESTED)
    declined, event = decline(offering, e, leader, "not this year", NOW)
    assert (declined.enrollment_id, declined.status) == (e.enrollment_id, EnrollmentStatus.DECLINED)
    assert (event.declined_by, event.reason, event.declined_at) == (leader, "not this year", NOW)
    assert (event.staff_id, event.offering) == (e.staff_id, offering.snapshot)


@pytest.mark.parametrize("status", others(EnrollmentStatus.REQUESTED))
def test_only_a_request_can_be_declined(status: EnrollmentStatus) -> None:
    offering = an_offering()
    with pytest.raises(Conflict, match=f"is {status.value} and cannot be declined"):
        decline(offering, an_enrollment(offering, status), uuid4(), "", NOW)


@pytest.mark.parametrize("status", CANCELLABLE)
def test_cancel_records_where_it_was_cancelled_from(status: EnrollmentStatus) -> None:
    offering = an_offering()
    e = an_enrollment(offering, status)
    cancelled, event = cancel(offering, e, "ill", NOW)
    assert (cancelled.enrollment_id, cancelled.status) == (
        e.enrollment_id,
        EnrollmentStatus.CANCELLED,
    )
    assert event.cancelled_from is CancelledFrom(status.value)
    assert (event.reason, event.cancelled_at, event.staff_id) == ("ill", NOW, e.staff_id)
    assert event.offering == offering.snapshot


@pytest.mark.parametrize("status", others(*CANCELLABLE))
def test_a_finished_enrollment_cannot_be_cancelled(status: EnrollmentStatus) -> None:
    offering = an_offering()
    with pytest.raises(Conflict, match=f"is {status.value} and cannot be cancelled"):
        cancel(offering, an_enrollment(offering, status), "", NOW)
