"""Enrollment: cancellation, completion, and the offering copy made from catalogue details."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from contracts.enrollment import CancelledFrom
from contracts.values import CompetenceDomain
from services.enrollment.domain import (
    Enrollment,
    Offering,
    Status,
    cancel,
    complete,
    offering_from,
)
from services.shared.errors import Conflict
from tests.support.factories import offering_details, session

pytestmark = pytest.mark.unit

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


def an_enrollment(offering: Offering, status: Status) -> Enrollment:
    return Enrollment(uuid4(), offering.offering_id, uuid4(), status)


def test_offering_from_copies_the_snapshot_and_takes_the_earliest_session() -> None:
    d = offering_details(
        sessions=(
            session(datetime(2025, 11, 20, 15, 0, tzinfo=UTC)),
            session(datetime(2025, 11, 3, 9, 0, tzinfo=UTC)),
            session(datetime(2025, 11, 10, 15, 0, tzinfo=UTC)),
        ),
        capacity=12,
        study_hours=8.0,
        domains=(CompetenceDomain.PEDAGOGY,),
        goal_tags=("feedback", "observation"),
    )
    offering = offering_from(d)
    assert offering.snapshot.first_session_on == date(2025, 11, 3)
    assert offering.capacity == 12
    assert offering.withdrawn is False
    assert offering.offering_id == d.offering_id
    assert (offering.snapshot.title, offering.snapshot.study_hours) == (d.title, 8.0)
    assert offering.snapshot.domains == d.domains
    assert offering.snapshot.goal_tags == d.goal_tags


def test_offering_without_sessions_has_no_first_session_date() -> None:
    offering = offering_from(offering_details(sessions=(), capacity=None))
    assert offering.snapshot.first_session_on is None
    assert offering.capacity is None


@pytest.mark.parametrize(
    ("status", "cancelled_from"),
    [(Status.ENROLLED, CancelledFrom.ENROLLED), (Status.WAITLISTED, CancelledFrom.WAITLISTED)],
)
def test_cancel_records_where_it_was_cancelled_from(
    status: Status, cancelled_from: CancelledFrom
) -> None:
    offering = offering_from(offering_details())
    enrollment = an_enrollment(offering, status)
    cancelled, event = cancel(offering, enrollment, "ill", NOW)
    assert cancelled.status is Status.CANCELLED
    assert cancelled.enrollment_id == enrollment.enrollment_id
    assert event.cancelled_from is cancelled_from
    assert (event.reason, event.cancelled_at, event.staff_id) == ("ill", NOW, enrollment.staff_id)
    assert event.offering == offering.snapshot


def test_cancelling_twice_is_a_conflict() -> None:
    offering = offering_from(offering_details())
    cancelled, _ = cancel(offering, an_enrollment(offering, Status.ENROLLED), "", NOW)
    with pytest.raises(Conflict, match="cancelled"):
        cancel(offering, cancelled, "again", NOW)


def test_cancelling_a_completed_enrollment_is_a_conflict() -> None:
    offering = offering_from(offering_details())
    with pytest.raises(Conflict, match="completed"):
        cancel(offering, an_enrollment(offering, Status.COMPLETED), "", NOW)


def test_completion_credits_the_offerings_study_hours_by_default() -> None:
    offering = offering_from(
        offering_details(
            sessions=(session(datetime(2025, 11, 5, 15, 0, tzinfo=UTC)),),
            study_hours=8.0,
            goal_tags=("feedback", "observation"),
        )
    )
    enrollment = an_enrollment(offering, Status.ENROLLED)
    done, event = complete(offering, enrollment, date(2026, 1, 20), hours=None)
    assert (done.status, done.completed_on, done.hours) == (
        Status.COMPLETED,
        date(2026, 1, 20),
        8.0,
    )
    assert (event.hours, event.completed_on, event.staff_id) == (
        8.0,
        date(2026, 1, 20),
        enrollment.staff_id,
    )
    assert event.offering == offering.snapshot
    assert event.offering.goal_tags == ("feedback", "observation")


@pytest.mark.parametrize("hours", [3.5, 0.0])
def test_completion_hours_can_be_overridden(hours: float) -> None:
    offering = offering_from(offering_details(study_hours=8.0))
    done, event = complete(offering, an_enrollment(offering, Status.ENROLLED), NOW.date(), hours)
    assert done.hours == hours
    assert event.hours == hours


@pytest.mark.parametrize("status", [Status.WAITLISTED, Status.CANCELLED, Status.COMPLETED])
def test_only_an_enrolled_staff_member_can_complete(status: Status) -> None:
    offering = offering_from(offering_details())
    with pytest.raises(Conflict, match=status.value):
        complete(offering, an_enrollment(offering, status), NOW.date(), None)
