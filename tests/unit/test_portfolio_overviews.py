"""Progress on a personal development plan, and the school leader's overview."""

from datetime import date
from uuid import UUID, uuid4

import pytest

from contracts.portfolio import PlanGoal
from contracts.values import CompetenceDomain, EnrollmentStatus, Sector, StaffRole
from services.portfolio.domain.overviews import progress, school_overview
from services.portfolio.domain.portfolio import Entry, EntrySource
from services.portfolio.domain.profiles import Profile

pytestmark = pytest.mark.unit

YEAR = "2026-2027"


def done(
    staff: UUID, hours: float, on: date, domains: tuple[str, ...] = (), tags: tuple[str, ...] = ()
) -> Entry:
    return Entry(
        uuid4(),
        staff,
        EntrySource.ENROLLMENT,
        EnrollmentStatus.COMPLETED,
        "x",
        "course",
        hours,
        on,
        domains,
        tags,
    )


def test_plan_progress_counts_this_years_activities_on_each_goals_domains_or_tags() -> None:
    me = uuid4()
    goals = [
        PlanGoal(goal_id=uuid4(), title="Reading", goal_tags=("reading",), target_hours=10),
        PlanGoal(
            goal_id=uuid4(), title="Pedagogy", domains=(CompetenceDomain.PEDAGOGY,), target_hours=5
        ),
    ]
    entries = [
        done(me, 6, date(2026, 9, 1), ("pedagogy",), ("reading",)),  # serves both goals
        done(me, 4, date(2026, 10, 1), (), ("reading",)),
        done(me, 9, date(2026, 7, 31), ("pedagogy",), ("reading",)),  # last school year
    ]
    assert [(p.title, p.hours, p.reached) for p in progress(goals, entries, YEAR)] == [
        ("Reading", 10.0, True),
        ("Pedagogy", 6.0, True),
    ]
    assert [p.hours for p in progress(goals, entries, "2025-2026")] == [9.0, 9.0]


def test_the_school_overview_shows_activity_teams_tags_and_who_is_short() -> None:
    a, b, c = sorted((uuid4(), uuid4(), uuid4()), key=str)
    board, school = uuid4(), uuid4()
    profiles = [
        Profile(a, board, StaffRole.TEACHER, Sector.VO, 1.0, (school,), "bovenbouw"),
        Profile(b, board, StaffRole.TEACHER, Sector.VO, 0.5, (school,), "onderbouw"),
        Profile(c, board, StaffRole.TEACHER, Sector.VO, 1.0, (school,), "onderbouw"),
    ]
    entries = [
        done(a, 90, date(2026, 9, 1), (), ("reading",)),
        done(b, 20, date(2026, 9, 2), (), ("reading", "ict")),
        done(uuid4(), 50, date(2026, 9, 3), (), ("reading",)),
    ]  # not on this school's staff
    view = school_overview(profiles, entries, YEAR, {})
    assert (view.staff, view.active_share) == (3, 0.667)
    assert view.by_goal_tag == {"ict": 20.0, "reading": 110.0}
    assert view.by_team == {"bovenbouw": 90.0, "onderbouw": 20.0}
    assert [(s["staff_id"], s["hours"], s["target"]) for s in view.short_of_target] == [
        (b, 20.0, 41.5),
        (c, 0.0, 83.0),
    ]
