"""Portfolio: a school's points to improve and a board's audit cycle at their edges: a
point acted on three times, a point never acted on, the last year a date can have, and
schools listed in the order of their ids."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.portfolio.domain.audit_history import FollowUp, Point, add_years, cycle, points

pytestmark = pytest.mark.unit

AUDIT = uuid4()


def action(index: int, closed: bool) -> FollowUp:
    return FollowUp(uuid4(), AUDIT, index, f"action on {index}", closed, uuid4(), None)


def test_the_latest_of_three_actions_says_whether_a_point_is_closed() -> None:
    opened, closed, reopened = action(0, False), action(0, True), action(0, False)
    assert points(["observe", "share"], [opened, closed, reopened]) == [
        Point(0, "observe", False, [opened, closed, reopened]),
        Point(1, "share", False, []),
    ]


def test_a_cycle_can_end_in_the_last_year_a_date_has() -> None:
    assert add_years(date(9995, 3, 1), 4) == date(9999, 3, 1)
    assert add_years(date(9995, 3, 1), 5) == date.max


def audit(school: UUID, theme: str) -> dict[str, Any]:
    return {
        "theme": theme,
        "audit_date": date(2025, 3, 1),
        "status": "completed",
        "school_id": school,
    }


def test_schools_come_in_the_order_of_their_ids_whatever_the_order_of_their_audits() -> None:
    first, second, third = sorted((uuid4() for _ in range(3)), key=str)
    audits = [audit(third, "a reading"), audit(first, "c feedback"), audit(second, "b maths")]
    rows = cycle(audits, 4, today=date(2026, 3, 1))
    assert [(r.school_id, r.themes) for r in rows] == [
        (first, ["c feedback"]),
        (second, ["b maths"]),
        (third, ["a reading"]),
    ]
