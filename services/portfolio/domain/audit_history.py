"""A school's audit history with the follow-up of its points to improve, and a board's
audit cycle. No I/O."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class FollowUp:
    follow_up_id: UUID
    audit_id: UUID
    point_index: int
    action: str
    closed: bool
    recorded_by: UUID
    recorded_at: Any


@dataclass(frozen=True)
class Point:
    index: int
    text: str
    closed: bool
    actions: list[FollowUp] = field(default_factory=list)


def points(improvements: Sequence[str], follow_ups: Iterable[FollowUp]) -> list[Point]:
    """Each point to improve with its actions, in order; the latest action says whether it
    is closed (a point can be reopened)."""
    actions: dict[int, list[FollowUp]] = {}
    for f in follow_ups:
        actions.setdefault(f.point_index, []).append(f)
    return [
        Point(i, text, bool(actions.get(i)) and actions[i][-1].closed, actions.get(i, []))
        for i, text in enumerate(improvements)
    ]


@dataclass(frozen=True)
class SchoolCycle:
    school_id: UUID
    last_audited_on: date | None
    themes: list[str]
    scheduled_on: date | None
    due_on: date | None
    due: bool


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 28 February for 29 February, and the last day there is
    for a year past 9999 (an audit's date comes from the catalogue's events)."""
    year = day.year + years
    if year > date.max.year:
        return date.max
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def cycle(audits: Iterable[dict[str, Any]], every_years: int, today: date) -> list[SchoolCycle]:
    """Per school of the board: when it was last audited, on which themes, and whether the
    next audit is due (`every_years` after the last one, or now when it never was)."""
    by_school: dict[UUID, list[dict[str, Any]]] = {}
    for audit in audits:
        by_school.setdefault(audit["school_id"], []).append(audit)
    out = []
    for school_id, own in sorted(by_school.items(), key=lambda kv: str(kv[0])):
        done = sorted(a["audit_date"] for a in own if a["status"] == "completed")
        planned = sorted(a["audit_date"] for a in own if a["status"] == "scheduled")
        last = done[-1] if done else None
        due_on = add_years(last, every_years) if last else None
        is_due = not planned and (due_on is None or due_on <= today)
        themes = [
            a["theme"]
            for a in sorted(own, key=lambda a: a["audit_date"])
            if a["status"] == "completed"
        ]
        out.append(
            SchoolCycle(school_id, last, themes, planned[0] if planned else None, due_on, is_due)
        )
    return out
