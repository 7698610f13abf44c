"""A portfolio from events, without I/O: entries, profiles, plans and audit follow-ups, and
the one fold of events into them. The live handler folds what a batch touches and stores
it, a rebuild replays every event through that handler, the as-of view folds a person's
journal: they agree by construction."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from contracts import Event
from contracts.catalogue import AuditCompleted
from contracts.enrollment import (
    AttendanceRecorded,
    Completed,
    Enrolled,
    EnrollmentCancelled,
    EnrollmentDeclined,
    EnrollmentRequested,
    InterestRegistered,
    NotCompleted,
    Waitlisted,
)
from contracts.personal import clear
from contracts.portfolio import (
    EntryAdded,
    EvidenceAdded,
    FollowUpRecorded,
    LeaderNoteAdded,
    PlanGoal,
    PlanSet,
    ReflectionAdded,
    StaffProfileSet,
)
from contracts.values import EnrollmentStatus
from services.portfolio.domain.audit_history import FollowUp
from services.portfolio.domain.profiles import Profile

EnrollmentEvent = (
    Enrolled
    | Waitlisted
    | EnrollmentCancelled
    | Completed
    | NotCompleted
    | EnrollmentRequested
    | EnrollmentDeclined
    | InterestRegistered
)
STATUS: dict[type[EnrollmentEvent], EnrollmentStatus] = {
    InterestRegistered: EnrollmentStatus.INTERESTED,
    EnrollmentRequested: EnrollmentStatus.REQUESTED,
    EnrollmentDeclined: EnrollmentStatus.DECLINED,
    Enrolled: EnrollmentStatus.ENROLLED,
    Waitlisted: EnrollmentStatus.WAITLISTED,
    EnrollmentCancelled: EnrollmentStatus.CANCELLED,
    Completed: EnrollmentStatus.COMPLETED,
    NotCompleted: EnrollmentStatus.NOT_COMPLETED,
}
"""The status an enrollment's entry takes with each of enrollment's events."""
ENROLLMENT_EVENTS = tuple(STATUS)
_ABOUT_ENROLLMENTS: tuple[type[EnrollmentEvent | AttendanceRecorded], ...] = (
    *ENROLLMENT_EVENTS,
    AttendanceRecorded,
)


class EntrySource(StrEnum):
    """Where an entry comes from."""

    ENROLLMENT = "enrollment"
    """An enrollment in an academy's offering."""
    AUDIT = "audit"
    """Work in a peer audit's team."""
    STAFF = "staff"
    """Learning outside the academies, added by the staff member."""


Annotation = EvidenceAdded | ReflectionAdded | LeaderNoteAdded
AUDIT_WORK = "peer_audit"


@dataclass(frozen=True)
class Entry:
    entry_id: UUID
    """The enrollment's id; for audit work, one derived from the audit and the auditor."""
    staff_id: UUID
    source: EntrySource
    status: EnrollmentStatus
    title: str
    kind: str
    """The offering's kind, peer_audit for audit work, or the kind of learning added."""
    hours: float | None = None
    """Hours credited: only completed entries have them."""
    completed_on: date | None = None
    domains: tuple[str, ...] = ()
    goal_tags: tuple[str, ...] = ()
    academy_name: str = ""
    offering_id: UUID | None = None
    academy_id: UUID | None = None
    detail: dict[str, object] = field(default_factory=dict)
    evidence: tuple[dict[str, object], ...] = ()
    reflections: tuple[dict[str, object], ...] = ()
    notes: tuple[dict[str, object], ...] = ()

    @property
    def counts(self) -> bool:
        """Only finished work earns hours: a completion, or audit work done."""
        return (
            self.status == EnrollmentStatus.COMPLETED
            and self.hours is not None
            and self.completed_on is not None
        )


def audit_entry_id(audit_id: UUID, staff_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"huisacademie:audit:{audit_id}:{staff_id}")


def entries_from(event: Event) -> list[Entry]:
    """The entries an event makes or moves on; none for an event about no entry."""
    if isinstance(event, ENROLLMENT_EVENTS):
        return [_from_enrollment(event)]
    if isinstance(event, AuditCompleted):
        return [
            Entry(
                entry_id=audit_entry_id(event.audit_id, a.staff_id),
                staff_id=a.staff_id,
                source=EntrySource.AUDIT,
                status=EnrollmentStatus.COMPLETED,
                title=f"Peer audit: {event.theme}",
                kind=AUDIT_WORK,
                hours=round(a.hours, 2),
                completed_on=event.audit_date,
                detail={
                    "audit_id": str(event.audit_id),
                    "audited_school_id": str(event.school_id),
                    "role": a.role.value,
                },
            )
            for a in event.team
        ]
    if isinstance(event, EntryAdded):
        return [
            Entry(
                entry_id=event.entry_id,
                staff_id=event.staff_id,
                source=EntrySource.STAFF,
                status=EnrollmentStatus.COMPLETED,
                title=clear(event.title),
                kind=event.kind.value,
                hours=round(event.hours, 2),
                completed_on=event.completed_on,
                domains=tuple(d.value for d in event.domains),
                goal_tags=event.goal_tags,
                academy_name=clear(event.provider),
                detail={"description": clear(event.description)},
            )
        ]
    return []


def _from_enrollment(event: EnrollmentEvent) -> Entry:
    o = event.offering
    reason = clear(getattr(event, "reason", ""))
    return Entry(
        entry_id=event.enrollment_id,
        staff_id=event.staff_id,
        source=EntrySource.ENROLLMENT,
        status=STATUS[type(event)],
        title=o.title,
        kind=o.kind.value,
        hours=round(event.hours, 2) if isinstance(event, Completed) else None,
        completed_on=event.completed_on if isinstance(event, Completed) else None,
        domains=tuple(d.value for d in o.domains),
        goal_tags=o.goal_tags,
        academy_name=o.academy_name,
        offering_id=o.offering_id,
        academy_id=o.academy_id,
        detail={
            "study_hours": o.study_hours,
            "first_session_on": o.first_session_on.isoformat() if o.first_session_on else None,
            "credits": o.credits.model_dump() if o.credits else None,
            **({"reason": reason} if reason else {}),
        },
    )


def merge(old: Entry | None, new: Entry) -> Entry:
    """The entry moved on by a newer event. A completed entry is final; what people added
    to an entry (evidence, reflections, notes) stays with it."""
    if old is None:
        return new
    if old.status == EnrollmentStatus.COMPLETED:
        return old
    return replace(
        new,
        detail={**old.detail, **new.detail},
        evidence=old.evidence,
        reflections=old.reflections,
        notes=old.notes,
    )


def annotate(entry: Entry, event: Annotation) -> Entry:
    """The entry with the evidence, reflection or note added; once, however often the
    event comes (each carries its own id)."""
    if isinstance(event, EvidenceAdded):
        item: dict[str, Any] = event.model_dump(
            mode="json", exclude={"staff_id", "entry_id", "employer", *event.personal}
        )
        written = {name: getattr(event, name) for name in event.personal}
        item.update({name: None if v is None else clear(v) for name, v in written.items()})
        return replace(entry, evidence=_once(entry.evidence, "evidence_id", item))
    if isinstance(event, ReflectionAdded):
        item = {"reflection_id": str(event.reflection_id), "text": clear(event.text)}
        return replace(entry, reflections=_once(entry.reflections, "reflection_id", item))
    item = {
        "note_id": str(event.note_id),
        "leader_id": str(event.leader_id),
        "text": clear(event.text),
    }
    return replace(entry, notes=_once(entry.notes, "note_id", item))


def _once(
    items: tuple[dict[str, Any], ...], key: str, item: dict[str, Any]
) -> tuple[dict[str, Any], ...]:
    return items if any(i.get(key) == item[key] for i in items) else (*items, item)


def attend(entry: Entry, event: AttendanceRecorded) -> Entry:
    """The entry with one session's attendance noted (a correction replaces it)."""
    seen = entry.detail.get("attendance")
    attendance = {**(seen if isinstance(seen, dict) else {}), str(event.session_id): event.attended}
    return replace(entry, detail={**entry.detail, "attendance": attendance})


def staff_of(event: Event) -> list[UUID]:
    """Whose portfolios an event touches."""
    if isinstance(event, AuditCompleted):
        return [a.staff_id for a in event.team]
    staff_id = getattr(event, "staff_id", None)
    return [staff_id] if isinstance(staff_id, UUID) else []


PROFILE_FIELDS = {f.name for f in fields(Profile)}
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


def entries_touched(events: Sequence[Event]) -> set[UUID]:
    """The ids of the entries a run of events makes or moves on, read without making them."""
    touched: set[UUID] = set()
    for e in events:
        if isinstance(e, _ABOUT_ENROLLMENTS):
            touched.add(e.enrollment_id)
        elif isinstance(e, EntryAdded | Annotation):
            touched.add(e.entry_id)
        elif isinstance(e, AuditCompleted):
            touched.update(audit_entry_id(e.audit_id, a.staff_id) for a in e.team)
    return touched


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
            profiles[event.staff_id] = Profile(**event.model_dump(include=PROFILE_FIELDS))
        elif isinstance(event, PlanSet):
            plans[(event.staff_id, event.school_year)] = event.goals
        elif isinstance(event, FollowUpRecorded):
            follow_ups.setdefault(event.follow_up_id, follow_up_from(event))
    return replace(state, entries=entries, profiles=profiles, plans=plans, follow_ups=follow_ups)


def follow_up_from(e: FollowUpRecorded) -> FollowUp:
    return FollowUp(
        e.follow_up_id, e.audit_id, e.point_index, e.action, e.closed, e.recorded_by, e.recorded_at
    )
