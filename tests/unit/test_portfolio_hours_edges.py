"""Portfolio: the hours ledger, yearly targets and the four-year profile at their edges:
work that earns nothing among work that does, zero hours, and totals to two decimals."""

from datetime import date
from uuid import uuid4

import pytest

from contracts.values import EnrollmentStatus, Sector, StaffRole
from services.portfolio.domain.hours import YearLedger, four_years, ledger, yearly_target
from services.portfolio.domain.portfolio import Entry, EntrySource
from services.portfolio.domain.profiles import Profile

pytestmark = pytest.mark.unit

STAFF = uuid4()
ON = date(2026, 3, 1)


def entry(
    hours: float | None,
    *,
    status: EnrollmentStatus = EnrollmentStatus.COMPLETED,
    domains: tuple[str, ...] = ("pedagogy",),
) -> Entry:
    return Entry(
        entry_id=uuid4(),
        staff_id=STAFF,
        source=EntrySource.ENROLLMENT,
        status=status,
        title="Feedback in the classroom",
        kind="course",
        hours=hours,
        completed_on=ON if status is EnrollmentStatus.COMPLETED else None,
        domains=domains,
        goal_tags=("feedback",),
        academy_name="Academie De Linde",
    )


def test_work_that_earns_nothing_does_not_stop_the_count() -> None:
    [year] = ledger([entry(None, status=EnrollmentStatus.ENROLLED), entry(4.0)])
    assert (year.school_year, year.hours, year.activities) == ("2025-2026", 4.0, 1)


def test_every_total_of_a_year_is_rounded_to_two_decimals() -> None:
    assert ledger([entry(1.114), entry(1.114)]) == [
        YearLedger(
            "2025-2026",
            2.23,
            2,
            {"pedagogy": 2.23},
            {"feedback": 2.23},
            {"course": 2.23},
            {"Academie De Linde": 2.23},
        )
    ]


def test_a_part_time_target_is_rounded_to_two_decimals() -> None:
    part_time = Profile(STAFF, uuid4(), StaffRole.TEACHER, Sector.VO, 0.333)
    assert yearly_target(part_time, {}) == 27.64  # 83 hours x 0.333 = 27.639


def test_completed_work_of_zero_hours_adds_nothing_to_four_years() -> None:
    profile = four_years([entry(0.0), entry(10.0)], ON)
    assert (profile.hours, profile.domain_hours) == (10.0, 10.0)


def test_four_years_are_rounded_to_two_decimals() -> None:
    profile = four_years([entry(1.114), entry(1.114), entry(1.0, domains=())], ON)
    assert (profile.first_year, profile.last_year) == ("2022-2023", "2025-2026")
    assert (profile.hours, profile.domain_hours) == (3.23, 2.23)
