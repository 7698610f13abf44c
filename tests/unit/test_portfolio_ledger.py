"""Portfolio: school years and the hours ledger."""

from datetime import date
from uuid import uuid4

import pytest

from contracts.values import EnrollmentStatus
from services.portfolio.domain.hours import YearLedger, ledger, school_year
from services.portfolio.domain.portfolio import Entry, EntrySource

pytestmark = pytest.mark.unit

STAFF = uuid4()


def entry(
    hours: float | None,
    on: date | None,
    status: str = "completed",
    kind: str = "course",
    domains: tuple[str, ...] = (),
    goal_tags: tuple[str, ...] = (),
) -> Entry:
    return Entry(
        entry_id=uuid4(),
        staff_id=STAFF,
        source=EntrySource.ENROLLMENT,
        status=EnrollmentStatus(status),
        title="an activity",
        kind=kind,
        hours=hours,
        completed_on=on,
        domains=domains,
        goal_tags=goal_tags,
    )


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2025, 7, 31), "2024-2025"),
        (date(2025, 8, 1), "2025-2026"),
        (date(2026, 1, 1), "2025-2026"),
        (date(2025, 12, 31), "2025-2026"),
        (date(2025, 1, 1), "2024-2025"),
    ],
)
def test_the_school_year_runs_from_1_august_to_31_july(day: date, year: str) -> None:
    assert school_year(day) == year


def test_only_completed_entries_with_hours_and_a_date_count() -> None:
    entries = [
        entry(4.0, date(2025, 10, 1)),
        entry(9.0, date(2025, 10, 2), status=EnrollmentStatus.ENROLLED),
        entry(9.0, date(2025, 10, 3), status=EnrollmentStatus.CANCELLED),
        entry(None, date(2025, 10, 4)),
        entry(9.0, None),
    ]
    assert [e.counts for e in entries] == [True, False, False, False, False]
    [year] = ledger(entries)
    assert (year.school_year, year.hours, year.activities) == ("2025-2026", 4.0, 1)


def test_no_counting_entries_gives_an_empty_ledger() -> None:
    assert ledger([entry(3.0, date(2025, 9, 1), status=EnrollmentStatus.WAITLISTED)]) == []


def test_years_come_newest_first_and_split_at_1_august() -> None:
    years = ledger(
        [
            entry(2.0, date(2025, 7, 31)),
            entry(3.0, date(2025, 8, 1)),
            entry(5.0, date(2023, 11, 15)),
            entry(1.5, date(2026, 7, 31)),
        ]
    )
    assert [(y.school_year, y.hours, y.activities) for y in years] == [
        ("2025-2026", 4.5, 2),
        ("2024-2025", 2.0, 1),
        ("2023-2024", 5.0, 1),
    ]


def test_hours_are_summed_per_domain_goal_tag_and_kind() -> None:
    [year] = ledger(
        [
            entry(6.0, date(2025, 9, 1), "completed", "course", ("pedagogy", "subject_didactics")),
            entry(2.0, date(2025, 9, 8), "completed", "coaching", ("pedagogy",), ("reading",)),
            entry(1.0, date(2025, 9, 9), "completed", "course", (), ("reading", "behaviour")),
        ]
    )
    assert year == YearLedger(
        school_year="2025-2026",
        hours=9.0,
        activities=3,
        by_domain={"pedagogy": 8.0, "subject_didactics": 6.0},
        by_goal_tag={"behaviour": 1.0, "reading": 3.0},
        by_kind={"coaching": 2.0, "course": 7.0},
        by_academy={"(other)": 9.0},
    )


def test_an_entry_with_two_domains_counts_towards_each() -> None:
    [year] = ledger([entry(5.0, date(2025, 9, 1), domains=("pedagogy", "subject_knowledge"))])
    assert year.by_domain == {"pedagogy": 5.0, "subject_knowledge": 5.0}
    assert sum(year.by_domain.values()) > year.hours == 5.0


def test_totals_are_rounded_to_two_decimals() -> None:
    [year] = ledger(
        [
            entry(0.1, date(2025, 9, 1), domains=("pedagogy",), goal_tags=("reading",)),
            entry(0.2, date(2025, 9, 2), domains=("pedagogy",), goal_tags=("reading",)),
        ]
    )
    assert 0.1 + 0.2 != 0.3
    assert year.hours == 0.3
    assert year.by_domain == {"pedagogy": 0.3}
    assert year.by_goal_tag == {"reading": 0.3}
    assert year.by_kind == {"course": 0.3}
