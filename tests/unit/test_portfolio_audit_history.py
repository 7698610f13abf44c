"""Follow-up of points to improve, and a board's audit cycle."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.portfolio.domain.audit_history import FollowUp, add_years, cycle, points

pytestmark = pytest.mark.unit

AUDIT = uuid4()


def action(index: int, closed: bool) -> FollowUp:
    return FollowUp(uuid4(), AUDIT, index, f"action on {index}", closed, uuid4(), None)


def test_points_are_open_until_the_latest_action_closes_them() -> None:
    found = points(
        ["observe", "share"], [action(0, False), action(0, True), action(1, True), action(1, False)]
    )
    assert [(p.index, p.text, p.closed, len(p.actions)) for p in found] == [
        (0, "observe", True, 2),
        (1, "share", False, 2),  # reopened by the latest action
    ]
    assert [p.closed for p in points(["observe"], [])] == [False]


def audit(school: UUID, on: date, status: str, theme: str = "reading") -> dict[str, Any]:
    return {"school_id": school, "audit_date": on, "status": status, "theme": theme}


def test_a_school_is_due_a_cycle_after_its_last_audit_unless_one_is_planned() -> None:
    a, b, c = sorted((uuid4(), uuid4(), uuid4()), key=str)
    audits = [
        audit(a, date(2023, 10, 1), "completed", "team learning"),
        audit(a, date(2025, 3, 1), "completed", "reading"),
        audit(b, date(2024, 12, 1), "completed"),
        audit(b, date(2026, 12, 1), "scheduled"),
        audit(c, date(2026, 1, 1), "cancelled"),
    ]
    rows = {r.school_id: r for r in cycle(audits, 2, today=date(2027, 3, 1))}
    assert (rows[a].last_audited_on, rows[a].themes) == (
        date(2025, 3, 1),
        ["team learning", "reading"],
    )
    assert (rows[a].due_on, rows[a].due) == (date(2027, 3, 1), True)
    assert (rows[b].scheduled_on, rows[b].due) == (date(2026, 12, 1), False)
    assert (rows[c].last_audited_on, rows[c].due_on, rows[c].due) == (None, None, True)
    assert not {r.school_id: r for r in cycle(audits, 3, today=date(2027, 3, 1))}[a].due


def test_a_cycle_from_29_february_ends_on_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
