"""The portfolio's PostgreSQL adapter: the read models."""

import json
from datetime import date
from typing import Any
from uuid import UUID

from contracts.catalogue import AuditCompleted, AuditScheduled
from services.portfolio.domain import Entry, school_year
from services.shared.db import Connection


async def upsert_entry(conn: Connection, e: Entry) -> None:
    """Insert or move an entry on; a completed entry is final and never moves back."""
    await conn.execute(
        "INSERT INTO entries (entry_id, staff_id, source, status, offering_id, title, academy_id,"
        " academy_name, kind, domains, goal_tags, hours, completed_on, school_year, detail)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        # Each event carries the offering as it stands; the latest one describes the entry.
        " ON CONFLICT (entry_id) DO UPDATE SET status = EXCLUDED.status, title = EXCLUDED.title,"
        " offering_id = EXCLUDED.offering_id, academy_id = EXCLUDED.academy_id,"
        " academy_name = EXCLUDED.academy_name, kind = EXCLUDED.kind,"
        " domains = EXCLUDED.domains, goal_tags = EXCLUDED.goal_tags,"
        " hours = EXCLUDED.hours, completed_on = EXCLUDED.completed_on,"
        " school_year = EXCLUDED.school_year, detail = entries.detail || EXCLUDED.detail,"
        " updated_at = now() WHERE entries.status <> 'completed'",
        e.entry_id,
        e.staff_id,
        e.source,
        e.status,
        e.offering_id,
        e.title,
        e.academy_id,
        e.academy_name,
        e.kind,
        list(e.domains),
        list(e.goal_tags),
        e.hours,
        e.completed_on,
        school_year(e.completed_on) if e.completed_on else None,
        json.dumps(e.detail, default=str),
    )


async def entries_of(conn: Connection, staff_id: UUID) -> list[Entry]:
    rows = await conn.fetch(
        "SELECT * FROM entries WHERE staff_id = $1 ORDER BY completed_on NULLS LAST, updated_at",
        staff_id,
    )
    return [
        Entry(
            entry_id=r["entry_id"],
            staff_id=r["staff_id"],
            source=r["source"],
            status=r["status"],
            title=r["title"],
            kind=r["kind"],
            hours=float(r["hours"]) if r["hours"] is not None else None,
            completed_on=r["completed_on"],
            domains=tuple(r["domains"]),
            goal_tags=tuple(r["goal_tags"]),
            academy_name=r["academy_name"],
            offering_id=r["offering_id"],
            academy_id=r["academy_id"],
            detail=json.loads(r["detail"]),
        )
        for r in rows
    ]


async def upsert_audit(conn: Connection, event: AuditScheduled | AuditCompleted) -> None:
    status = "completed" if isinstance(event, AuditCompleted) else "scheduled"
    findings = event.findings.model_dump_json() if isinstance(event, AuditCompleted) else None
    await conn.execute(
        "INSERT INTO audits"
        " (audit_id, school_id, board_id, theme, audit_date, status, team, findings)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (audit_id) DO UPDATE SET status = EXCLUDED.status, team = EXCLUDED.team,"
        " findings = EXCLUDED.findings, theme = EXCLUDED.theme, audit_date = EXCLUDED.audit_date,"
        " updated_at = now()",
        event.audit_id,
        event.school_id,
        event.board_id,
        event.theme,
        event.audit_date,
        status,
        json.dumps([m.model_dump(mode="json") for m in event.team]),
        findings,
    )


async def reschedule_audit(conn: Connection, audit_id: UUID, audit_date: date) -> None:
    await conn.execute(
        "UPDATE audits SET audit_date = $2, updated_at = now() WHERE audit_id = $1",
        audit_id,
        audit_date,
    )


async def cancel_audit(conn: Connection, audit_id: UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE audits SET status = 'cancelled', reason = $2, updated_at = now()"
        " WHERE audit_id = $1",
        audit_id,
        reason,
    )


async def audits_of(conn: Connection, school_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT audit_id, school_id, board_id, theme, audit_date, status, team, findings, reason"
        " FROM audits WHERE school_id = $1 ORDER BY audit_date, audit_id",
        school_id,
    )
    return [
        {
            **dict(r),
            "team": json.loads(r["team"]),
            "findings": json.loads(r["findings"]) if r["findings"] else None,
        }
        for r in rows
    ]
