"""Builds the portfolio and the audit histories from events; each handler runs inside
the consumer's transaction, with the inbox row that makes it happen once."""

from collections.abc import Sequence

from contracts import Event
from contracts.catalogue import AuditCancelled, AuditCompleted, AuditRescheduled, AuditScheduled
from contracts.enrollment import AttendanceRecorded
from services.portfolio import store
from services.portfolio.entries import attend, entries_from, merge
from services.shared.db import Connection


async def apply_entries(conn: Connection, event: Event) -> None:
    """Moves on every entry the event is about (an enrollment, audit work)."""
    await apply_entries_together(conn, [event])


async def apply_entries_together(conn: Connection, events: Sequence[Event]) -> None:
    """apply_entries for a run of events: the entries read in one query, moved on in
    order in memory, written in one statement."""
    news = [new for event in events for new in entries_from(event)]
    if not news:
        return
    current = await store.get_entries(conn, (new.entry_id for new in news))
    for new in news:
        current[new.entry_id] = merge(current.get(new.entry_id), new)
    await store.save_entries(conn, (current[i] for i in dict.fromkeys(n.entry_id for n in news)))


async def on_audit_scheduled(conn: Connection, event: AuditScheduled) -> None:
    await store.upsert_audit(conn, event)


async def on_audit_completed(conn: Connection, event: AuditCompleted) -> None:
    await store.upsert_audit(conn, event)
    await apply_entries(conn, event)


async def on_audit_cancelled(conn: Connection, event: AuditCancelled) -> None:
    await store.cancel_audit(conn, event.audit_id, event.reason)


async def on_audit_rescheduled(conn: Connection, event: AuditRescheduled) -> None:
    await store.reschedule_audit(conn, event.audit_id, event.audit_date)


async def on_attendance(conn: Connection, event: AttendanceRecorded) -> None:
    entry = await store.get_entry(conn, event.enrollment_id)
    if entry is not None:
        await store.save_entry(conn, attend(entry, event))
