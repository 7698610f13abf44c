"""Builds the portfolio and the audit histories from events; each handler runs inside
the consumer's transaction, with the inbox row that makes it happen once."""

from uuid import NAMESPACE_URL, UUID, uuid5

from contracts.catalogue import AuditCancelled, AuditCompleted, AuditRescheduled, AuditScheduled
from contracts.enrollment import (
    Completed,
    Enrolled,
    EnrollmentCancelled,
    EnrollmentDeclined,
    EnrollmentRequested,
    InterestRegistered,
    NotCompleted,
    Waitlisted,
)
from services.portfolio import store
from services.portfolio.domain import Entry
from services.shared.db import Connection

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
STATUS: dict[type[EnrollmentEvent], str] = {
    InterestRegistered: "interested",
    EnrollmentRequested: "requested",
    EnrollmentDeclined: "declined",
    Enrolled: "enrolled",
    Waitlisted: "waitlisted",
    EnrollmentCancelled: "cancelled",
    Completed: "completed",
    NotCompleted: "not_completed",
}
AUDIT_WORK = "peer_audit"


def audit_entry_id(audit_id: UUID, staff_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"huisacademie:audit:{audit_id}:{staff_id}")


async def on_enrollment_event(conn: Connection, event: EnrollmentEvent) -> None:
    o = event.offering
    hours, completed_on = (
        (event.hours, event.completed_on) if isinstance(event, Completed) else (None, None)
    )
    await store.upsert_entry(
        conn,
        Entry(
            entry_id=event.enrollment_id,
            staff_id=event.staff_id,
            source="enrollment",
            status=STATUS[type(event)],
            title=o.title,
            kind=o.kind.value,
            hours=hours,
            completed_on=completed_on,
            domains=tuple(d.value for d in o.domains),
            goal_tags=o.goal_tags,
            academy_name=o.academy_name,
            offering_id=o.offering_id,
            academy_id=o.academy_id,
            detail={"study_hours": o.study_hours, "first_session_on": o.first_session_on},
        ),
    )


async def on_audit_scheduled(conn: Connection, event: AuditScheduled) -> None:
    await store.upsert_audit(conn, event)


async def on_audit_completed(conn: Connection, event: AuditCompleted) -> None:
    await store.upsert_audit(conn, event)
    for auditor in event.team:
        await store.upsert_entry(
            conn,
            Entry(
                entry_id=audit_entry_id(event.audit_id, auditor.staff_id),
                staff_id=auditor.staff_id,
                source="audit",
                status="completed",
                title=f"Peer audit: {event.theme}",
                kind=AUDIT_WORK,
                hours=auditor.hours,
                completed_on=event.audit_date,
                detail={
                    "audit_id": str(event.audit_id),
                    "audited_school_id": str(event.school_id),
                    "role": auditor.role.value,
                },
            ),
        )


async def on_audit_cancelled(conn: Connection, event: AuditCancelled) -> None:
    await store.cancel_audit(conn, event.audit_id, event.reason)


async def on_audit_rescheduled(conn: Connection, event: AuditRescheduled) -> None:
    await store.reschedule_audit(conn, event.audit_id, event.audit_date)
