"""The portfolio's reactions to events: each staff member's portfolio and each school's
audit history, built from events in the consumer's unit of work.

`project` applies every event the portfolio keeps (`keep_audits` first keeps the
audit rows of the catalogue's audit events): the entries a run of events makes or moves on
are read (row-locked, in id order), folded with the events (domain.portfolio.fold, the
same fold the as-of view replays) and written back in one statement; the profiles, plans
and follow-ups the fold yields replace or join theirs (a follow-up once). The commands
apply their own events through it too, and a rebuild applies every event through the same
map."""

from collections.abc import Sequence

from contracts import Event, topics
from contracts.catalogue import AuditCancelled, AuditCompleted, AuditRescheduled, AuditScheduled
from contracts.enrollment import AttendanceRecorded
from contracts.portfolio import (
    DepartureWithdrawn,
    EntryAdded,
    EvidenceAdded,
    FollowUpRecorded,
    LeaderNoteAdded,
    PlanSet,
    ReflectionAdded,
    StaffLeft,
    StaffProfileSet,
)
from services.portfolio.domain.portfolio import STATUS, Portfolio, entries_touched, fold, staff_of
from services.portfolio.store import Store
from services.shared.consumer import Handlers
from services.shared.definition import Subscription
from services.shared.unit_of_work import UnitOfWork

OWN_EVENTS = (
    EntryAdded,
    EvidenceAdded,
    ReflectionAdded,
    LeaderNoteAdded,
    StaffProfileSet,
    PlanSet,
    FollowUpRecorded,
)
"""The portfolio's own events: applied as the commands make them, and in a rebuild (with
StaffLeft, kept by keep_departures)."""


async def project(unit: UnitOfWork[Store], events: Sequence[Event]) -> Portfolio:
    """Applies a run of events, in order, to the read models; returns the part of the
    portfolio they touched, as they left it."""
    store = unit.store
    await store.hold_people(person for e in events for person in staff_of(e))
    touched = entries_touched(events)
    before = Portfolio(entries=await store.get_entries(touched) if touched else {})
    after = fold(before, events)
    if after.entries:
        await store.save_entries(after.entries.values())
    if after.profiles:
        await store.save_profiles(after.profiles.values())
    if after.plans:
        await store.save_plans(after.plans)
    if after.follow_ups:
        await store.add_follow_ups(after.follow_ups.values())
    return after


AuditEvent = AuditScheduled | AuditRescheduled | AuditCompleted | AuditCancelled


async def keep_audits(unit: UnitOfWork[Store], events: Sequence[AuditEvent]) -> None:
    """Each school's audits as the catalogue's events describe them; a completed audit's
    work is entries of its auditors, projected as every other event."""
    for event in events:
        if isinstance(event, AuditScheduled | AuditCompleted):
            await unit.store.upsert_audit(event)
        elif isinstance(event, AuditRescheduled):
            await unit.store.reschedule_audit(event.audit_id, event.audit_date)
        else:
            await unit.store.cancel_audit(event.audit_id, event.reason)
    await project(unit, events)


async def keep_departures(
    unit: UnitOfWork[Store], events: Sequence[StaffLeft | DepartureWithdrawn]
) -> None:
    """Who left, and when: the start of their board's retention period; in order, since a
    withdrawal undoes the departure before it."""
    await unit.store.hold_people(e.staff_id for e in events)
    for event in events:
        if isinstance(event, StaffLeft):
            await unit.store.record_departure(event)
        else:
            await unit.store.withdraw_departure(event.staff_id)


HANDLERS: Handlers = {
    **dict.fromkeys((*STATUS, AttendanceRecorded, *OWN_EVENTS), project),
    StaffLeft: keep_departures,
    DepartureWithdrawn: keep_departures,
    **dict.fromkeys(
        (AuditScheduled, AuditRescheduled, AuditCompleted, AuditCancelled), keep_audits
    ),
}
SUBSCRIPTIONS = (
    Subscription("portfolio.enrollments", (topics.ENROLLMENTS,), HANDLERS),
    Subscription("portfolio.audits", (topics.AUDITS,), HANDLERS),
)
OWN = Subscription("portfolio.own", (topics.PORTFOLIO, topics.SCHOOL_AUDITS), HANDLERS)
"""The portfolio's own topics, read only by a rebuild."""
