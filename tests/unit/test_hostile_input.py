"""What fuzzing the HTTP APIs found (tests/fault/test_http_fuzz.py), each pinned down: input
the services once accepted and then choked on, or kept in a way that broke a rule."""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.values import (
    AuditRole,
    AuditTeamMember,
    EnrollmentStatus,
    Findings,
    OfferingDetails,
    Session,
)
from services.catalogue.domain import audits
from services.catalogue.domain import offerings as catalogue
from services.enrollment.domain import enrollments as enrollment
from services.portfolio.api.schemas import FileIn, ProfileIn
from services.portfolio.domain.audit_history import add_years
from services.portfolio.domain.hours import valid_school_year
from services.shared.errors import CommandRejected
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit


def at(offset: timedelta, year: int = 2027) -> datetime:
    return datetime(year, 3, 1, 9, 0, tzinfo=timezone(offset))


def with_session(starts_at: datetime) -> OfferingDetails:
    session = Session(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    return offering_details(sessions=(session,))


@pytest.mark.parametrize(
    ("starts_at", "problem"),
    [
        # PostgreSQL cannot read this offset: one such session broke every date search.
        (at(-timedelta(hours=20, minutes=29)), "offset"),
        (at(timedelta(hours=1, seconds=30)), "offset"),
        (at(timedelta(hours=1), year=458), "years 1900 and 9000"),
        (at(timedelta(hours=1), year=9999), "years 1900 and 9000"),
    ],
)
def test_a_session_at_a_time_no_academy_means_is_refused(starts_at: datetime, problem: str) -> None:
    with pytest.raises(CommandRejected, match=rf"sessions\[0\]\.starts_at: .*{problem}"):
        catalogue.publish(with_session(starts_at))


@pytest.mark.parametrize("offset", [timedelta(hours=14), -timedelta(hours=14), timedelta(0)])
def test_sessions_in_every_time_zone_in_use_are_published(offset: timedelta) -> None:
    offering, _ = catalogue.publish(with_session(at(offset)))
    assert offering.details.sessions[0].starts_at == at(offset)


def test_an_enrollment_window_at_a_time_no_academy_means_is_refused() -> None:
    details = offering_details(enrolment_closes=at(timedelta(hours=15)))
    with pytest.raises(CommandRejected, match="enrolment_closes: the UTC offset"):
        catalogue.publish(details)


def a_team() -> tuple[AuditTeamMember, ...]:
    return (AuditTeamMember(staff_id=uuid4(), school_id=uuid4(), role=AuditRole.LEAD),)


def test_an_audit_in_a_year_nobody_visits_schools_is_refused() -> None:
    # A board's audit cycle counts years on from the last audit; year 9999 overflowed it.
    audit = audits.Audit(uuid4(), uuid4(), uuid4(), "reading", date(9999, 12, 31), a_team())
    with pytest.raises(CommandRejected, match="audit_date: must lie between"):
        audits.schedule(audit)
    planned, _ = audits.schedule(replace(audit, audit_date=date(2027, 5, 1)))
    with pytest.raises(CommandRejected, match="audit_date: must lie between"):
        audits.reschedule(planned, date(1, 1, 1), "")


def test_a_board_cycle_after_the_last_possible_year_ends_on_the_last_day() -> None:
    assert add_years(date(9998, 6, 1), 2) == date.max
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_hours_are_credited_as_they_are_kept_to_two_decimals() -> None:
    # 0.125 was 0.13 in enrollment's numeric column and 0.12 in the portfolio.
    offering = enrollment.Offering(offering_details(study_hours=0.125))
    e = enrollment.Enrollment(uuid4(), offering.offering_id, uuid4(), EnrollmentStatus.ENROLLED)
    done, event = enrollment.complete(offering, e, date(2027, 1, 1), None)
    assert done.credit is not None and done.credit.hours == event.hours == 0.12
    audit, _ = audits.schedule(
        audits.Audit(uuid4(), uuid4(), uuid4(), "reading", date(2027, 5, 1), a_team())
    )
    _, completed = audits.complete(audit, Findings(), 2.675)
    assert [c.hours for c in completed.team] == [2.67]


@pytest.mark.parametrize("year", ["7063-1968", "2025-2025", "2025-2027", "0000-0000"])
def test_a_school_year_is_two_consecutive_years(year: str) -> None:
    with pytest.raises(ValueError, match="two consecutive years"):
        valid_school_year(year)
    assert valid_school_year("2025-2026") == "2025-2026"


def test_an_fte_the_portfolio_would_keep_as_zero_is_refused() -> None:
    profile = {"board_id": str(uuid4()), "role": "teacher", "sector": "po"}
    with pytest.raises(ValidationError):
        ProfileIn.model_validate({**profile, "fte": 0.0004})
    assert ProfileIn.model_validate({**profile, "fte": 0.001}).fte == 0.001


def test_file_content_must_be_base64() -> None:
    # Characters outside ASCII made base64 decoding raise a ValueError: a 500.
    with pytest.raises(ValidationError):
        FileIn.model_validate(
            {"name": "a.txt", "media_type": "text/plain", "content_base64": "è=="}
        )
    assert FileIn.model_validate(
        {"name": "a.txt", "media_type": "text/plain", "content_base64": "aGFsbG8="}
    )
