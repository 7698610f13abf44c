"""Enrollment at the edges of its seating rules: who may enrol given what they already
have (a live enrollment, sessions booked elsewhere), and who moves up into a freed seat."""

from datetime import UTC, date, datetime, timedelta
from typing import cast
from uuid import UUID, uuid4

import pytest

from contracts.enrollment import Enrolled, EnrolledVia, EnrollmentRequested
from contracts.values import EnrollmentStatus, OfferingDetails, StaffRole
from services.enrollment.commands.seating import (
    EnrollmentRequest,
    Unit,
    admissible,
    admit,
    promote,
)
from services.enrollment.domain import enrollments
from services.enrollment.domain.eligibility import Clash, NotEligible, StaffMember
from services.enrollment.domain.enrollments import Enrollment, Offering
from services.enrollment.store import Store
from services.shared.errors import Conflict
from tests.support.factories import offering_details, session
from tests.support.fakes import FakeEnrollmentStore, FakeUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
MONDAY = datetime(2025, 9, 15, 14, 0, tzinfo=UTC)
WEDNESDAY = datetime(2025, 9, 17, 14, 0, tzinfo=UTC)


def an_offering(capacity: int | None = 16, **extra: object) -> Offering:
    """offering_details() with one session on MONDAY, plus fields the factory does not take."""
    base = offering_details(capacity=capacity, sessions=(session(MONDAY),)).model_dump()
    return Offering(OfferingDetails.model_validate(base | extra))


def teacher_of(offering: Offering) -> StaffMember:
    return StaffMember(uuid4(), offering.details.board_id, StaffRole.TEACHER)


def one_of(
    offering: Offering, status: EnrollmentStatus, staff_id: UUID | None = None
) -> Enrollment:
    return Enrollment(uuid4(), offering.offering_id, staff_id or uuid4(), status)


def request(staff: StaffMember, confirm_overlap: bool = False) -> EnrollmentRequest:
    return EnrollmentRequest(staff, None, confirm_overlap)


def test_a_second_live_enrollment_is_refused_naming_the_first() -> None:
    offering = an_offering()
    staff = teacher_of(offering)
    first = one_of(offering, EnrollmentStatus.WAITLISTED, staff.staff_id)
    with pytest.raises(Conflict) as refused:
        admit(offering, request(staff), first, [])
    assert refused.value.message == (
        f"staff member {staff.staff_id} already has an enrollment in offering"
        f" {offering.offering_id} (waitlisted): {first.enrollment_id}"
    )


def test_without_sessions_booked_elsewhere_nothing_needs_confirming() -> None:
    offering = an_offering()
    assert admit(offering, request(teacher_of(offering)), None, []) == []


def test_eligibility_comes_first_and_says_why() -> None:
    offering = an_offering()
    stranger = StaffMember(uuid4(), uuid4(), StaffRole.TEACHER)
    with pytest.raises(NotEligible) as refused:
        admit(offering, request(stranger), None, [])
    assert refused.value.message == (
        "this offering is only for staff of the board that runs the academy"
    )


def test_the_window_is_read_against_the_clock() -> None:
    closed = datetime(2025, 9, 5, 17, 0, tzinfo=UTC)  # long before any run of this test
    offering = an_offering(enrolment_closes=closed)
    with pytest.raises(NotEligible) as refused:
        admit(offering, request(teacher_of(offering)), None, [])
    assert refused.value.message == "enrolment closed at 2025-09-05T17:00:00+00:00"


BOOKED = [
    ("Coaching", session(MONDAY + timedelta(hours=1))),
    ("Intervision", session(MONDAY - timedelta(hours=1), timedelta(hours=3))),
    ("Lesson study", session(WEDNESDAY)),
]


def test_clashing_sessions_are_refused_by_name_with_the_way_to_go_on() -> None:
    offering = an_offering()
    with pytest.raises(Clash) as refused:
        admit(offering, request(teacher_of(offering)), None, BOOKED)
    assert refused.value.overlaps == [
        "Coaching on 2025-09-15T15:00:00+00:00",
        "Intervision on 2025-09-15T13:00:00+00:00",
    ]
    assert refused.value.message == (
        "the sessions overlap sessions you already have: "
        "Coaching on 2025-09-15T15:00:00+00:00; Intervision on 2025-09-15T13:00:00+00:00."
        " Repeat the request with confirm_overlap=true to enrol anyway."
    )


def test_confirmed_clashes_come_back_as_warnings() -> None:
    offering = an_offering()
    assert admit(offering, request(teacher_of(offering), confirm_overlap=True), None, BOOKED) == [
        "overlaps Coaching on 2025-09-15T15:00:00+00:00",
        "overlaps Intervision on 2025-09-15T13:00:00+00:00",
    ]


def a_store(*offerings: Offering) -> FakeEnrollmentStore:
    store = FakeEnrollmentStore()
    store.offerings.update((o.offering_id, o) for o in offerings)
    return store


def add(store: FakeEnrollmentStore, *items: Enrollment) -> None:
    store.enrollments.update((e.enrollment_id, e) for e in items)


async def test_admissible_reads_the_sessions_a_person_holds_in_other_offerings() -> None:
    wanted = an_offering()
    other = an_offering(title="Coaching in the classroom")
    staff = teacher_of(wanted)
    store = a_store(wanted, other)
    add(store, one_of(other, EnrollmentStatus.ENROLLED, staff.staff_id))
    with pytest.raises(Clash) as refused:
        await admissible(cast("Store", store), wanted, staff, False)
    assert refused.value.overlaps == ["Coaching in the classroom on 2025-09-15T14:00:00+00:00"]
    assert await admissible(cast("Store", store), wanted, staff, True) == [
        "overlaps Coaching in the classroom on 2025-09-15T14:00:00+00:00"
    ]


async def test_admissible_reads_the_live_enrollment_in_the_offering() -> None:
    offering = an_offering()
    staff = teacher_of(offering)
    store = a_store(offering)
    live = one_of(offering, EnrollmentStatus.REQUESTED, staff.staff_id)
    add(store, live)
    with pytest.raises(Conflict) as refused:
        await admissible(cast("Store", store), offering, staff, False)
    assert refused.value.message.endswith(f"(requested): {live.enrollment_id}")


async def test_promote_emits_the_events_given_then_a_seat_for_each_freed_one() -> None:
    offering = an_offering(capacity=2)
    store = a_store(offering)
    seated, first, second = (
        one_of(offering, EnrollmentStatus.ENROLLED),
        one_of(offering, EnrollmentStatus.WAITLISTED),
        one_of(offering, EnrollmentStatus.WAITLISTED),
    )
    add(store, seated, first, second)
    unit = FakeUnitOfWork(store)
    given = enrollments.not_complete(offering, seated, date(2025, 9, 16))[1]
    await promote(cast("Unit", unit), offering, [given])
    assert unit.events[0] is given
    [moved_up] = unit.events[1:]
    assert isinstance(moved_up, Enrolled)
    assert (moved_up.enrollment_id, moved_up.via) == (first.enrollment_id, EnrolledVia.WAITLIST)
    assert store.enrollments[first.enrollment_id].status is EnrollmentStatus.ENROLLED
    assert store.enrollments[second.enrollment_id].status is EnrollmentStatus.WAITLISTED


def test_the_last_seat_goes_to_the_first_on_the_waiting_list() -> None:
    offering = an_offering(capacity=1)
    first, second = (one_of(offering, EnrollmentStatus.WAITLISTED) for _ in range(2))
    [(promoted, event)] = enrollments.promote(offering, 0, [first, second], NOW)
    assert promoted == Enrollment(
        first.enrollment_id, offering.offering_id, first.staff_id, EnrollmentStatus.ENROLLED
    )
    assert (event.enrollment_id, event.via, event.enrolled_at) == (
        first.enrollment_id,
        EnrolledVia.WAITLIST,
        NOW,
    )


@pytest.mark.parametrize("draft", [EnrollmentStatus.INTERESTED, EnrollmentStatus.ENROLLED])
def test_an_offering_that_needs_approval_makes_a_request_whatever_the_draft_said(
    draft: EnrollmentStatus,
) -> None:
    offering = an_offering(requires_approval=True)
    joined, event = enrollments.join(offering, one_of(offering, draft), 0, NOW)
    assert joined.status is EnrollmentStatus.REQUESTED
    assert isinstance(event, EnrollmentRequested)


def test_a_withdrawn_offering_takes_no_one_in_and_says_so() -> None:
    offering = Offering(an_offering().details, withdrawn=True)
    with pytest.raises(Conflict) as joining:
        enrollments.join(offering, one_of(offering, EnrollmentStatus.REQUESTED), 0, NOW)
    with pytest.raises(Conflict) as approving:
        enrollments.approve(offering, one_of(offering, EnrollmentStatus.REQUESTED), 0, NOW, uuid4())
    assert joining.value.message == approving.value.message == "the offering was withdrawn"


def test_not_completed_without_a_reason_gives_none() -> None:
    offering = an_offering()
    _, event = enrollments.not_complete(
        offering, one_of(offering, EnrollmentStatus.ENROLLED), date(2025, 9, 16)
    )
    assert event.reason == ""
