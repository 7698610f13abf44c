"""The one fold of events into a portfolio: entries, profiles, plans and follow-ups, as a
run of events leaves them. No I/O: the live handlers fold the part of the read model that
events touch and store the result; a rebuild folds every event through the same handlers;
the as-of view folds a person's journal. So they agree by construction."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from uuid import UUID

from contracts import Event
from contracts.enrollment import AttendanceRecorded
from contracts.portfolio import FollowUpRecorded, PlanGoal, PlanSet, StaffProfileSet
from services.portfolio.domain.audit_history import FollowUp
from services.portfolio.domain.entries import (
    Annotation,
    Entry,
    annotate,
    attend,
    entries_from,
    merge,
)
from services.portfolio.domain.hours import Profile

PlanKey = tuple[UUID, str]
"""A staff member and a school year."""


@dataclass(frozen=True)
class Portfolio:
    """Part of the portfolio's read model: what a run of events touches, or all of it."""

    entries: dict[UUID, Entry] = field(default_factory=dict)
    profiles: dict[UUID, Profile] = field(default_factory=dict)
    plans: dict[PlanKey, tuple[PlanGoal, ...]] = field(default_factory=dict)
    follow_ups: dict[UUID, FollowUp] = field(default_factory=dict)

    def entries_of(self, staff_id: UUID) -> list[Entry]:
        """A person's entries, in the order they first appeared."""
        return [e for e in self.entries.values() if e.staff_id == staff_id]


def entries_touched(events: Iterable[Event]) -> set[UUID]:
    """The ids of the existing entries a run of events may move on: what to load first."""
    return set(_touched(events))


def _touched(events: Iterable[Event]) -> Iterator[UUID]:
    for event in events:
        yield from (new.entry_id for new in entries_from(event))
        if isinstance(event, AttendanceRecorded):
            yield event.enrollment_id
        if isinstance(event, Annotation):
            yield event.entry_id


def fold(state: Portfolio, events: Iterable[Event]) -> Portfolio:
    """The portfolio as the events leave it, in order. Each event may come more than once:
    a repeated event changes nothing."""
    entries, profiles = dict(state.entries), dict(state.profiles)
    plans, follow_ups = dict(state.plans), dict(state.follow_ups)
    for event in events:
        for new in entries_from(event):
            entries[new.entry_id] = merge(entries.get(new.entry_id), new)
        if isinstance(event, AttendanceRecorded) and event.enrollment_id in entries:
            entries[event.enrollment_id] = attend(entries[event.enrollment_id], event)
        elif isinstance(event, Annotation) and event.entry_id in entries:
            entries[event.entry_id] = annotate(entries[event.entry_id], event)
        elif isinstance(event, StaffProfileSet):
            profiles[event.staff_id] = profile_from(event)
        elif isinstance(event, PlanSet):
            plans[(event.staff_id, event.school_year)] = event.goals
        elif isinstance(event, FollowUpRecorded):
            follow_ups.setdefault(event.follow_up_id, follow_up_from(event))
    return replace(state, entries=entries, profiles=profiles, plans=plans, follow_ups=follow_ups)


def profile_from(e: StaffProfileSet) -> Profile:
    return Profile(e.staff_id, e.board_id, e.role, e.sector, e.fte, e.school_ids, e.team)


def follow_up_from(e: FollowUpRecorded) -> FollowUp:
    return FollowUp(
        e.follow_up_id, e.audit_id, e.point_index, e.action, e.closed, e.recorded_by, e.recorded_at
    )
