"""Enrollment: sessions that clash with sessions the person already has."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from contracts.values import Session
from services.enrollment.domain.eligibility import Clash, overlaps
from services.shared.errors import Conflict

pytestmark = pytest.mark.unit


def at(hour: int, minute: int = 0, hours: float = 2, tz: timezone = UTC) -> Session:
    start = datetime(2025, 10, 6, hour, minute, tzinfo=tz)
    return Session(session_id=uuid4(), starts_at=start, ends_at=start + timedelta(hours=hours))


def test_touching_sessions_do_not_overlap() -> None:
    assert overlaps([at(14)], [("Before", at(12)), ("After", at(16))]) == []


@pytest.mark.parametrize("booked", [at(15), at(13), at(14, 30, hours=0.5), at(13, hours=4)])
def test_a_partial_or_whole_overlap_is_a_clash(booked: Session) -> None:
    assert overlaps([at(14)], [("Coaching", booked)]) == [
        f"Coaching on {booked.starts_at.isoformat()}"
    ]


def test_overlap_compares_instants_across_time_zones() -> None:
    cest = timezone(timedelta(hours=2))
    assert overlaps([at(14)], [("Team", at(18, tz=cest))]) == []  # 16:00-18:00 UTC
    assert len(overlaps([at(14)], [("Team", at(17, tz=cest))])) == 1  # 15:00-17:00 UTC


def test_one_description_per_clashing_booked_session_in_booked_order() -> None:
    wanted = [at(9, hours=3), at(11, hours=3)]
    booked = [("A", at(10, hours=3)), ("B", at(18)), ("C", at(13))]
    assert overlaps(wanted, booked) == [
        f"A on {booked[0][1].starts_at.isoformat()}",
        f"C on {booked[2][1].starts_at.isoformat()}",
    ]


def test_a_clash_is_a_conflict_that_lists_the_overlaps_and_how_to_confirm() -> None:
    clash = Clash(["A on 2025-10-06T10:00:00+00:00", "C on 2025-10-06T13:00:00+00:00"])
    assert isinstance(clash, Conflict)
    assert clash.overlaps == ["A on 2025-10-06T10:00:00+00:00", "C on 2025-10-06T13:00:00+00:00"]
    assert "A on 2025-10-06T10:00:00+00:00; C on 2025-10-06T13:00:00+00:00" in clash.message
    assert "confirm_overlap=true" in clash.message
