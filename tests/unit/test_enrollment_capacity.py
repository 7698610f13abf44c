"""Enrollment: seats, the waiting list and promotion from it."""

from datetime import UTC, datetime
from typing import Unpack
from uuid import UUID, uuid4

import pytest

from contracts.enrollment import Enrolled, EnrolledVia, Waitlisted
from contracts.values import CompetenceDomain
from services.enrollment.domain import Enrollment, Offering, Status, enrol, promote
from services.shared.errors import Conflict
from tests.support.factories import SnapshotFields, snapshot

pytestmark = pytest.mark.unit

NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def an_offering(
    capacity: int | None = 2, withdrawn: bool = False, **overrides: Unpack[SnapshotFields]
) -> Offering:
    return Offering(snapshot=snapshot(**overrides), capacity=capacity, withdrawn=withdrawn)


def waiting_list(offering: Offering, size: int) -> list[Enrollment]:
    return [
        Enrollment(uuid4(), offering.offering_id, uuid4(), Status.WAITLISTED) for _ in range(size)
    ]


def test_free_seats_counts_down_to_zero_and_never_below() -> None:
    offering = an_offering(capacity=2)
    assert [offering.free_seats(n) for n in (0, 1, 2, 3)] == [2, 1, 0, 0]


def test_unlimited_capacity_has_no_seat_count() -> None:
    assert an_offering(capacity=None).free_seats(10_000) is None


def test_the_last_free_seat_enrols_directly() -> None:
    offering = an_offering(capacity=2)
    enrollment_id, staff_id = uuid4(), uuid4()
    enrollment, event = enrol(offering, enrollment_id, staff_id, enrolled=1, now=NOW)
    assert enrollment == Enrollment(enrollment_id, offering.offering_id, staff_id, Status.ENROLLED)
    assert isinstance(event, Enrolled)
    assert event.via is EnrolledVia.DIRECT
    assert (event.enrollment_id, event.staff_id, event.enrolled_at) == (
        enrollment_id,
        staff_id,
        NOW,
    )
    assert event.offering == offering.snapshot


def test_a_full_offering_puts_the_next_on_the_waiting_list() -> None:
    offering = an_offering(
        capacity=2,
        title="Reading didactics in groups 3-4",
        study_hours=12.5,
        domains=(CompetenceDomain.SUBJECT_DIDACTICS, CompetenceDomain.PEDAGOGY),
        goal_tags=("reading",),
    )
    staff_id = uuid4()
    enrollment, event = enrol(offering, uuid4(), staff_id, enrolled=2, now=NOW)
    assert enrollment.status is Status.WAITLISTED
    assert isinstance(event, Waitlisted)
    assert (event.staff_id, event.waitlisted_at) == (staff_id, NOW)
    assert event.offering.title == "Reading didactics in groups 3-4"
    assert event.offering.study_hours == 12.5
    assert event.offering.domains == (
        CompetenceDomain.SUBJECT_DIDACTICS,
        CompetenceDomain.PEDAGOGY,
    )
    assert event.offering.goal_tags == ("reading",)


def test_unlimited_capacity_always_enrols() -> None:
    enrollment, event = enrol(an_offering(capacity=None), uuid4(), uuid4(), 500, NOW)
    assert enrollment.status is Status.ENROLLED
    assert isinstance(event, Enrolled)


def test_enrolling_in_a_withdrawn_offering_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="withdrawn"):
        enrol(an_offering(withdrawn=True), uuid4(), uuid4(), 0, NOW)


def test_promotion_fills_only_the_free_seats_first_come_first_served() -> None:
    offering = an_offering(capacity=3)
    waiting = waiting_list(offering, 4)
    promoted = promote(offering, enrolled=1, waiting=waiting, now=NOW)
    ids: list[UUID] = [e.enrollment_id for e, _ in promoted]
    assert ids == [w.enrollment_id for w in waiting[:2]]
    for (enrollment, event), before in zip(promoted, waiting[:2], strict=True):
        assert enrollment.status is Status.ENROLLED
        assert enrollment.staff_id == before.staff_id
        assert event.via is EnrolledVia.WAITLIST
        assert (event.staff_id, event.enrolled_at) == (before.staff_id, NOW)
        assert event.offering == offering.snapshot


def test_no_promotion_when_the_offering_is_full() -> None:
    offering = an_offering(capacity=2)
    assert promote(offering, enrolled=2, waiting=waiting_list(offering, 3), now=NOW) == []


def test_unlimited_capacity_promotes_the_whole_waiting_list_in_order() -> None:
    offering = an_offering(capacity=None)
    waiting = waiting_list(offering, 3)
    promoted = promote(offering, enrolled=40, waiting=waiting, now=NOW)
    assert [e.staff_id for e, _ in promoted] == [w.staff_id for w in waiting]


def test_a_withdrawn_offering_promotes_nobody() -> None:
    offering = an_offering(capacity=5, withdrawn=True)
    assert promote(offering, enrolled=0, waiting=waiting_list(offering, 2), now=NOW) == []
