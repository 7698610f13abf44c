"""Enrollment: the way in (interest list, request, seat, waiting list) and the offering copy."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from contracts.enrollment import (
    Enrolled,
    EnrolledVia,
    EnrollmentRequested,
    InterestRegistered,
    Waitlisted,
)
from contracts.values import CompetenceDomain, EnrollmentStatus, OfferingDetails
from services.enrollment.domain.enrollments import Enrollment, Offering, join
from services.shared.errors import Conflict
from tests.support.factories import offering_details, session

pytestmark = pytest.mark.unit

NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def an_offering(capacity: int | None = 2, *, withdrawn: bool = False, **extra: object) -> Offering:
    """offering_details() plus fields the factory does not take (requires_approval, ...)."""
    base = offering_details(capacity=capacity).model_dump()
    return Offering(OfferingDetails.model_validate(base | extra), withdrawn)


def newcomer(offering: Offering) -> Enrollment:
    return Enrollment(uuid4(), offering.offering_id, uuid4(), EnrollmentStatus.REQUESTED)


def test_the_copy_exposes_the_details_and_takes_the_earliest_session() -> None:
    d = offering_details(
        sessions=(
            session(datetime(2025, 11, 20, 15, 0, tzinfo=UTC)),
            session(datetime(2025, 11, 3, 9, 0, tzinfo=UTC)),
        ),
        capacity=12,
        study_hours=8.0,
        domains=(CompetenceDomain.PEDAGOGY,),
        goal_tags=("feedback",),
    )
    offering = Offering(d)
    assert (offering.offering_id, offering.capacity, offering.withdrawn) == (
        d.offering_id,
        12,
        False,
    )
    assert offering.sessions == d.sessions
    snap = offering.snapshot
    assert snap.first_session_on == date(2025, 11, 3)
    assert (snap.title, snap.academy_id, snap.academy_name) == (
        d.title,
        d.academy_id,
        d.academy_name,
    )
    assert (snap.kind, snap.study_hours, snap.domains, snap.goal_tags) == (
        d.kind,
        8.0,
        (CompetenceDomain.PEDAGOGY,),
        ("feedback",),
    )


def test_an_offering_without_sessions_has_no_first_session_date() -> None:
    assert an_offering(sessions=()).snapshot.first_session_on is None


def test_free_seats_counts_down_to_zero_and_never_below() -> None:
    offering = an_offering(capacity=2)
    assert [offering.free_seats(n) for n in (0, 1, 2, 3)] == [2, 1, 0, 0]


def test_unlimited_capacity_has_no_seat_count() -> None:
    assert an_offering(capacity=None).free_seats(10_000) is None


def test_without_sessions_joining_registers_interest() -> None:
    offering = an_offering(capacity=1, sessions=())
    e = newcomer(offering)
    joined, event = join(offering, e, enrolled=5, now=NOW)
    assert joined == Enrollment(
        e.enrollment_id, e.offering_id, e.staff_id, EnrollmentStatus.INTERESTED
    )
    assert isinstance(event, InterestRegistered)
    assert (event.enrollment_id, event.staff_id, event.registered_at) == (
        e.enrollment_id,
        e.staff_id,
        NOW,
    )
    assert event.offering == offering.snapshot


def test_without_sessions_interest_comes_before_approval() -> None:
    offering = an_offering(sessions=(), requires_approval=True)
    joined, event = join(offering, newcomer(offering), 0, NOW)
    assert joined.status is EnrollmentStatus.INTERESTED
    assert isinstance(event, InterestRegistered)


@pytest.mark.parametrize("enrolled", [0, 2])
def test_an_offering_that_needs_approval_turns_joining_into_a_request(enrolled: int) -> None:
    offering = an_offering(capacity=2, requires_approval=True)
    e = newcomer(offering)
    joined, event = join(offering, e, enrolled, NOW)
    assert joined.status is EnrollmentStatus.REQUESTED
    assert isinstance(event, EnrollmentRequested)
    assert (event.staff_id, event.requested_at) == (e.staff_id, NOW)
    assert event.offering == offering.snapshot


def test_the_last_free_seat_enrols_directly() -> None:
    offering = an_offering(capacity=2)
    e = newcomer(offering)
    joined, event = join(offering, e, enrolled=1, now=NOW)
    assert joined == Enrollment(
        e.enrollment_id, e.offering_id, e.staff_id, EnrollmentStatus.ENROLLED
    )
    assert isinstance(event, Enrolled)
    assert (event.via, event.enrolled_at, event.staff_id) == (EnrolledVia.DIRECT, NOW, e.staff_id)
    assert event.offering == offering.snapshot


@pytest.mark.parametrize("enrolled", [2, 3])
def test_a_full_offering_puts_the_next_on_the_waiting_list(enrolled: int) -> None:
    offering = an_offering(capacity=2)
    e = newcomer(offering)
    joined, event = join(offering, e, enrolled, NOW)
    assert joined.status is EnrollmentStatus.WAITLISTED
    assert isinstance(event, Waitlisted)
    assert (event.enrollment_id, event.waitlisted_at) == (e.enrollment_id, NOW)
    assert event.offering == offering.snapshot


def test_unlimited_capacity_always_enrols() -> None:
    offering = an_offering(capacity=None)
    joined, event = join(offering, newcomer(offering), 5_000, NOW)
    assert joined.status is EnrollmentStatus.ENROLLED
    assert isinstance(event, Enrolled)


@pytest.mark.parametrize(
    "extra",
    [{}, {"sessions": ()}, {"requires_approval": True}],
    ids=["seat", "interest", "request"],
)
def test_joining_a_withdrawn_offering_is_a_conflict(extra: dict[str, object]) -> None:
    details = OfferingDetails.model_validate(an_offering().details.model_dump() | extra)
    offering = Offering(details, withdrawn=True)
    with pytest.raises(Conflict, match="withdrawn"):
        join(offering, newcomer(offering), 0, NOW)
