"""Builds the portfolio and the audit histories from events; each handler runs inside
the consumer's transaction, with the inbox row that makes it happen once."""

from contracts import Event
from contracts.catalogue import AuditCancelled, AuditCompleted, AuditRescheduled, AuditScheduled
from contracts.enrollment import AttendanceRecorded
from services.portfolio import store
from services.portfolio.entries import attend, entries_from, merge
from services.shared.db import Connection


async def apply_entries(conn: Connection, event: Event) -> None:
    """Moves on every entry the event is about (an enrollment, audit work)."""
    for new in entries_from(event):
        await store.save_entry(conn, merge(await store.get_entry(conn, new.entry_id), new))


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
