"""Enrollment: completion, not completing, and attendance events."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from contracts.values import EnrollmentStatus, OfferingDetails, Session
from services.enrollment.domain.enrollments import (
    Credit,
    Enrollment,
    Offering,
    attendance_recorded,
    complete,
    not_complete,
)
from services.shared.errors import Conflict
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
ON = date(2026, 1, 20)


def an_offering(**extra: object) -> Offering:
    base = offering_details(study_hours=8.0).model_dump()
    return Offering(OfferingDetails.model_validate(base | extra))


def an_enrollment(offering: Offering, status: EnrollmentStatus) -> Enrollment:
    return Enrollment(uuid4(), offering.offering_id, uuid4(), status)


def others(*allowed: EnrollmentStatus) -> list[EnrollmentStatus]:
    return [s for s in EnrollmentStatus if s not in allowed]


@pytest.mark.parametrize("status", [EnrollmentStatus.ENROLLED, EnrollmentStatus.NOT_COMPLETED])
def test_completion_credits_the_study_hours_by_default(status: EnrollmentStatus) -> None:
    offering = an_offering()
    e = an_enrollment(offering, status)
    done, event = complete(offering, e, ON, None)
    assert (done.status, done.credit) == (EnrollmentStatus.COMPLETED, Credit(ON, 8.0))
    assert (event.hours, event.completed_on, event.staff_id) == (8.0, ON, e.staff_id)
    assert (event.reason, event.attended_share) == ("", None)
    assert event.offering == offering.snapshot


@pytest.mark.parametrize("hours", [3.5, 0.0])
def test_completion_hours_reason_and_share_can_be_given(hours: float) -> None:
    offering = an_offering()
    e = an_enrollment(offering, EnrollmentStatus.ENROLLED)
    done, event = complete(offering, e, ON, hours, reason="by hand", attended_share=0.75)
    assert done.credit is not None and (done.credit.hours, event.hours) == (hours, hours)
    assert (event.reason, event.attended_share) == ("by hand", 0.75)


@pytest.mark.parametrize(
    "status", others(EnrollmentStatus.ENROLLED, EnrollmentStatus.NOT_COMPLETED)
)
def test_only_an_enrolled_staff_member_can_complete(status: EnrollmentStatus) -> None:
    offering = an_offering()
    with pytest.raises(Conflict, match=f"this enrollment is {status.value}"):
        complete(offering, an_enrollment(offering, status), ON, None)


def test_not_completing_is_recorded_with_the_share_attended() -> None:
    offering = an_offering()
    e = an_enrollment(offering, EnrollmentStatus.ENROLLED)
    after, event = not_complete(offering, e, ON, reason="too few sessions", attended_share=0.5)
    assert (after.status, after.credit) == (EnrollmentStatus.NOT_COMPLETED, None)
    assert (event.recorded_on, event.reason, event.attended_share) == (ON, "too few sessions", 0.5)
    assert (event.staff_id, event.offering) == (e.staff_id, offering.snapshot)


@pytest.mark.parametrize("status", others(EnrollmentStatus.ENROLLED))
def test_only_an_enrolled_staff_member_can_not_complete(status: EnrollmentStatus) -> None:
    offering = an_offering()
    with pytest.raises(Conflict, match=f"is {status.value} and cannot be recorded"):
        not_complete(offering, an_enrollment(offering, status), ON)


@pytest.mark.parametrize("attended", [True, False])
def test_attendance_names_the_session_and_its_start(attended: bool) -> None:
    start = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
    s = Session(session_id=uuid4(), starts_at=start, ends_at=start + timedelta(hours=2))
    offering = an_offering(sessions=(s,))
    e = an_enrollment(offering, EnrollmentStatus.ENROLLED)
    event = attendance_recorded(offering, e, s, attended, NOW)
    assert (event.session_id, event.session_starts_at, event.attended) == (
        s.session_id,
        start,
        attended,
    )
    assert (event.enrollment_id, event.staff_id, event.recorded_at) == (
        e.enrollment_id,
        e.staff_id,
        NOW,
    )
    assert event.offering == offering.snapshot
