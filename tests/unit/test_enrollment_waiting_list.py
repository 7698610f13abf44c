"""Enrollment: promotion from the waiting list, and seats offered to the interest list."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from contracts.enrollment import Enrolled, EnrolledVia, EnrollmentRequested, Waitlisted
from contracts.values import EnrollmentStatus, OfferingDetails
from services.enrollment.domain.enrollments import Enrollment, Offering, offer_seats, promote
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def an_offering(capacity: int | None = 2, *, withdrawn: bool = False, **extra: object) -> Offering:
    """offering_details() plus fields the factory does not take (requires_approval, ...)."""
    base = offering_details(capacity=capacity).model_dump()
    return Offering(OfferingDetails.model_validate(base | extra), withdrawn)


def queue(offering: Offering, status: EnrollmentStatus, size: int) -> list[Enrollment]:
    return [Enrollment(uuid4(), offering.offering_id, uuid4(), status) for _ in range(size)]


def test_promotion_fills_only_the_free_seats_first_come_first_served() -> None:
    offering = an_offering(capacity=3)
    waiting = queue(offering, EnrollmentStatus.WAITLISTED, 4)
    promoted = promote(offering, enrolled=1, waiting=waiting, now=NOW)
    assert [e.enrollment_id for e, _ in promoted] == [w.enrollment_id for w in waiting[:2]]
    for (enrollment, event), before in zip(promoted, waiting[:2], strict=True):
        assert enrollment.status is EnrollmentStatus.ENROLLED
        assert enrollment.staff_id == before.staff_id
        assert (event.via, event.enrolled_at) == (EnrolledVia.WAITLIST, NOW)
        assert (event.enrollment_id, event.staff_id) == (before.enrollment_id, before.staff_id)
        assert event.offering == offering.snapshot


def test_no_promotion_when_the_offering_is_full() -> None:
    offering = an_offering(capacity=2)
    assert (
        promote(
            offering, enrolled=2, waiting=queue(offering, EnrollmentStatus.WAITLISTED, 3), now=NOW
        )
        == []
    )


def test_a_shorter_waiting_list_is_promoted_whole() -> None:
    offering = an_offering(capacity=10)
    waiting = queue(offering, EnrollmentStatus.WAITLISTED, 2)
    assert [e.staff_id for e, _ in promote(offering, 0, waiting, NOW)] == [
        w.staff_id for w in waiting
    ]


def test_unlimited_capacity_promotes_the_whole_waiting_list_in_order() -> None:
    offering = an_offering(capacity=None)
    waiting = queue(offering, EnrollmentStatus.WAITLISTED, 3)
    promoted = promote(offering, enrolled=40, waiting=waiting, now=NOW)
    assert [e.staff_id for e, _ in promoted] == [w.staff_id for w in waiting]


def test_a_withdrawn_offering_promotes_nobody() -> None:
    offering = an_offering(capacity=5, withdrawn=True)
    assert (
        promote(
            offering, enrolled=0, waiting=queue(offering, EnrollmentStatus.WAITLISTED, 2), now=NOW
        )
        == []
    )


def test_added_dates_seat_the_interest_list_in_order_then_waitlist() -> None:
    offering = an_offering(capacity=3)
    interested = queue(offering, EnrollmentStatus.INTERESTED, 4)
    offered = offer_seats(offering, enrolled=1, interested=interested, now=NOW)
    assert [e.enrollment_id for e, _ in offered] == [i.enrollment_id for i in interested]
    assert [e.status for e, _ in offered] == [
        EnrollmentStatus.ENROLLED,
        EnrollmentStatus.ENROLLED,
        EnrollmentStatus.WAITLISTED,
        EnrollmentStatus.WAITLISTED,
    ]
    assert [type(ev) for _, ev in offered] == [Enrolled, Enrolled, Waitlisted, Waitlisted]
    for (_, event), before in zip(offered, interested, strict=True):
        assert (event.staff_id, event.offering) == (before.staff_id, offering.snapshot)
        if isinstance(event, Enrolled):
            assert (event.via, event.enrolled_at) == (EnrolledVia.INTEREST_LIST, NOW)


def test_added_dates_with_unlimited_capacity_seat_everyone() -> None:
    offering = an_offering(capacity=None)
    offered = offer_seats(offering, 100, queue(offering, EnrollmentStatus.INTERESTED, 3), NOW)
    assert [e.status for e, _ in offered] == [EnrollmentStatus.ENROLLED] * 3


def test_added_dates_turn_interest_into_requests_when_approval_is_required() -> None:
    offering = an_offering(capacity=1, requires_approval=True)
    interested = queue(offering, EnrollmentStatus.INTERESTED, 3)
    offered = offer_seats(offering, enrolled=1, interested=interested, now=NOW)
    assert [e.status for e, _ in offered] == [EnrollmentStatus.REQUESTED] * 3
    for (moved, event), before in zip(offered, interested, strict=True):
        assert moved.enrollment_id == before.enrollment_id
        assert isinstance(event, EnrollmentRequested)
        assert (event.staff_id, event.requested_at) == (before.staff_id, NOW)


def test_nothing_is_offered_while_the_offering_still_has_no_sessions() -> None:
    offering = an_offering(capacity=None, sessions=())
    assert offer_seats(offering, 0, queue(offering, EnrollmentStatus.INTERESTED, 2), NOW) == []


def test_nothing_is_offered_when_the_offering_was_withdrawn() -> None:
    offering = an_offering(capacity=None, withdrawn=True)
    assert offer_seats(offering, 0, queue(offering, EnrollmentStatus.INTERESTED, 2), NOW) == []
