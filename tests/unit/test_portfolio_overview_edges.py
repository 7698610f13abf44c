"""Portfolio: plan progress and a school leader's overview at their edges: staff of other
schools among the entries, zero hours, someone exactly on target, no staff at all."""

from datetime import date
from uuid import UUID, uuid4

import pytest

from contracts.portfolio import PlanGoal
from contracts.values import EnrollmentStatus, Sector, StaffRole
from services.portfolio.domain.overviews import (
    GoalProgress,
    SchoolOverview,
    progress,
    school_overview,
)
from services.portfolio.domain.portfolio import Entry, EntrySource
from services.portfolio.domain.profiles import Profile

pytestmark = pytest.mark.unit

YEAR = "2026-2027"
BOARD, SCHOOL = uuid4(), uuid4()


def done(staff: UUID, hours: float, tag: str) -> Entry:
    return Entry(
        entry_id=uuid4(),
        staff_id=staff,
        source=EntrySource.ENROLLMENT,
        status=EnrollmentStatus.COMPLETED,
        title="Feedback in the classroom",
        kind="course",
        hours=hours,
        completed_on=date(2026, 9, 14),
        goal_tags=(tag,),
    )


def test_goal_progress_is_rounded_to_two_decimals_and_zero_hours_add_nothing() -> None:
    me, goal_id = uuid4(), uuid4()
    goal = PlanGoal(goal_id=goal_id, title="Lezen", goal_tags=("reading",), target_hours=2.5)
    entries = [done(me, 1.114, "reading"), done(me, 1.114, "reading"), done(me, 0.0, "reading")]
    expected = GoalProgress(goal_id, "Lezen", 2.5, 2.23, False, (), ("reading",))
    assert progress([goal], entries, YEAR) == [expected]


def profile(staff: UUID, role: StaffRole, sector: Sector, fte: float, team: str) -> Profile:
    return Profile(staff, BOARD, role, sector, fte, (SCHOOL,), team)


def test_the_overview_at_its_edges() -> None:
    a, b, c, d = sorted((uuid4() for _ in range(4)), key=str)
    profiles = [  # not in the order of their ids
        profile(d, StaffRole.SPECIALIST, Sector.VO, 1.0, "ib"),
        profile(c, StaffRole.TEACHER, Sector.VO, 1.0, "bovenbouw"),
        profile(b, StaffRole.TEACHER, Sector.PO, 0.5, ""),
        profile(a, StaffRole.TEACHER, Sector.VO, 1.0, "bovenbouw"),
    ]
    entries = [
        done(uuid4(), 50.0, "reading"),  # someone not on this school's staff, first
        done(a, 1.114, "reading"),
        done(a, 1.114, "reading"),
        done(a, 0.0, "maths"),
        done(b, 0.5, "maths"),
        done(d, 1.5, "reading"),  # exactly the board's target for a specialist
    ]
    assert school_overview(profiles, entries, YEAR, {"specialist": 1.5}) == SchoolOverview(
        school_year=YEAR,
        staff=4,
        active_share=0.75,  # a, b and d; b with less than one hour
        by_goal_tag={"maths": 0.5, "reading": 3.73},
        by_team={"(no team)": 0.5, "bovenbouw": 2.23, "ib": 1.5},
        short_of_target=[
            {"staff_id": a, "team": "bovenbouw", "hours": 2.23, "target": 83.0},
            {"staff_id": b, "team": "", "hours": 0.5, "target": 40.0},
            {"staff_id": c, "team": "bovenbouw", "hours": 0.0, "target": 83.0},
        ],
    )


def test_a_school_without_staff_has_an_empty_overview() -> None:
    entries = [done(uuid4(), 4.0, "reading")]
    assert school_overview([], entries, YEAR, {}) == SchoolOverview(YEAR, 0, 0.0, {}, {}, [])
