"""Yearly targets per role, pro rata, and the four-year register profile."""

from datetime import date
from uuid import uuid4

import pytest

from contracts.values import EnrollmentStatus, Sector, StaffRole
from services.portfolio.domain.hours import four_years, yearly_target
from services.portfolio.domain.portfolio import Entry, EntrySource
from services.portfolio.domain.profiles import Profile

pytestmark = pytest.mark.unit


def profile(sector: Sector, fte: float, role: StaffRole = StaffRole.TEACHER) -> Profile:
    return Profile(uuid4(), uuid4(), role, sector, fte)


@pytest.mark.parametrize(
    ("sector", "fte", "target"),
    [
        (Sector.PO, 1.0, 80.0),
        (Sector.PO, 0.6, 48.0),
        (Sector.VO, 1.0, 83.0),
        (Sector.VO, 0.5, 41.5),
    ],
)
def test_the_collective_agreements_give_the_default_pro_rata(
    sector: Sector, fte: float, target: float
) -> None:
    assert yearly_target(profile(sector, fte), {}) == target


def test_a_board_sets_its_own_target_per_role() -> None:
    leader = profile(Sector.PO, 0.8, StaffRole.SCHOOL_LEADER)
    assert yearly_target(leader, {"school_leader": 100.0, "teacher": 60.0}) == 80.0
    assert yearly_target(profile(Sector.PO, 1.0), {"school_leader": 100.0}) == 80.0  # default
    assert yearly_target(None, {"teacher": 60.0}) is None


def done(hours: float, on: date, *domains: str) -> Entry:
    return Entry(
        uuid4(),
        uuid4(),
        EntrySource.ENROLLMENT,
        EnrollmentStatus.COMPLETED,
        "x",
        "course",
        hours,
        on,
        domains,
    )


def test_four_years_counts_the_current_school_year_and_the_three_before() -> None:
    entries = [
        done(50, date(2023, 8, 1), "pedagogy", "subject_didactics"),  # first day of the window
        done(40, date(2023, 7, 31), "pedagogy"),  # one day too early
        done(60, date(2025, 3, 1), "school_leadership"),  # not a competence domain
        done(30, date(2026, 11, 1), "subject_knowledge"),
        Entry(
            uuid4(),
            uuid4(),
            EntrySource.ENROLLMENT,
            EnrollmentStatus.ENROLLED,
            "x",
            "course",
            None,
            None,
            ("pedagogy",),
        ),
    ]
    view = four_years(entries, date(2026, 11, 26))
    assert (view.first_year, view.last_year) == ("2023-2024", "2026-2027")
    assert (view.hours, view.domain_hours) == (140.0, 80.0)
    assert not view.met
    more = [*entries, done(25, date(2026, 12, 1), "pedagogy")]
    assert four_years(more, date(2026, 12, 1)).met  # 165 hours, 105 on the domains
    assert four_years(entries, date(2027, 8, 1)).first_year == "2024-2025"
