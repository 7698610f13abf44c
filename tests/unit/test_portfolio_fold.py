"""The one fold of events into a portfolio, beyond entries: profiles, plans and audit
follow-ups, as the live handlers, a rebuild and the as-of view apply them."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from contracts.enrollment import AttendanceRecorded
from contracts.portfolio import (
    FollowUpRecorded,
    PlanGoal,
    PlanSet,
    ReflectionAdded,
    StaffProfileSet,
)
from contracts.values import Sector, StaffRole
from services.portfolio.domain.audit_history import FollowUp
from services.portfolio.domain.portfolio import Portfolio, entries_touched, fold
from services.portfolio.domain.profiles import Profile
from tests.support.factories import enrolled

pytestmark = pytest.mark.unit

STAFF, BOARD = uuid4(), uuid4()


def profile(fte: float) -> StaffProfileSet:
    return StaffProfileSet(
        staff_id=STAFF, board_id=BOARD, role=StaffRole.TEACHER, sector=Sector.PO, fte=fte
    )


def plan(year: str, *titles: str) -> PlanSet:
    goals = tuple(PlanGoal(goal_id=uuid4(), title=t, target_hours=10) for t in titles)
    return PlanSet(staff_id=STAFF, school_year=year, goals=goals)


def test_the_latest_profile_and_each_years_latest_plan_count() -> None:
    first, second = plan("2026-2027", "Reading"), plan("2026-2027", "Writing", "Maths")
    other_year = plan("2027-2028", "Leading")
    folded = fold(Portfolio(), [profile(1.0), first, other_year, profile(0.6), second])
    assert folded.profiles == {
        STAFF: Profile(STAFF, BOARD, StaffRole.TEACHER, Sector.PO, 0.6, (), "")
    }
    assert folded.plans == {
        (STAFF, "2026-2027"): second.goals,
        (STAFF, "2027-2028"): other_year.goals,
    }


def test_a_follow_up_recorded_twice_is_kept_once_as_first_recorded() -> None:
    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    event = FollowUpRecorded(
        school_id=uuid4(),
        audit_id=uuid4(),
        follow_up_id=uuid4(),
        point_index=0,
        point="feedback",
        action="peer visits every month",
        closed=False,
        recorded_by=uuid4(),
        recorded_at=at,
    )
    folded = fold(Portfolio(), [event, event])
    assert list(folded.follow_ups.values()) == [
        FollowUp(event.follow_up_id, event.audit_id, 0, "peer visits every month", False,
                 event.recorded_by, at)
    ]  # fmt: skip


def test_folding_onto_a_state_keeps_what_the_events_do_not_touch() -> None:
    before = fold(Portfolio(), [profile(1.0), plan("2026-2027", "Reading")])
    seat = enrolled(staff_id=STAFF)
    after = fold(before, [seat])
    assert (after.profiles, after.plans) == (before.profiles, before.plans)
    assert list(after.entries) == [seat.enrollment_id]
    assert before.entries == {}  # the state folded onto is left as it was


def test_the_entries_to_load_are_those_the_events_make_or_move_on() -> None:
    seat = enrolled(staff_id=STAFF)
    mark = AttendanceRecorded(
        enrollment_id=uuid4(),
        staff_id=STAFF,
        offering=seat.offering,
        session_id=uuid4(),
        session_starts_at=datetime(2026, 11, 30, 14, 0, tzinfo=UTC),
        attended=True,
        recorded_at=datetime(2026, 11, 30, tzinfo=UTC),
    )
    note = ReflectionAdded(staff_id=STAFF, entry_id=uuid4(), reflection_id=uuid4(), text="ok")
    touched = entries_touched([seat, mark, note, profile(1.0)])
    assert touched == {seat.enrollment_id, mark.enrollment_id, note.entry_id}
