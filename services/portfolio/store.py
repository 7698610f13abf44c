"""The portfolio's PostgreSQL adapter: the read models."""

import json
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from pydantic_core import to_json

from contracts.catalogue import AuditCompleted, AuditScheduled
from contracts.values import Sector, StaffRole
from services.portfolio.audit_history import FollowUp
from services.portfolio.domain import Entry, school_year
from services.portfolio.targets import Profile
from services.shared.db import Connection

_ENTRY_COLUMNS = (
    "entry_id, staff_id, source, status, offering_id, title, academy_id, academy_name, kind,"
    " domains, goal_tags, hours, completed_on, school_year, detail, evidence, reflections, notes"
)


async def get_entry(conn: Connection, entry_id: UUID) -> Entry | None:
    """The entry, row-locked until the caller's transaction ends."""
    row = await conn.fetchrow("SELECT * FROM entries WHERE entry_id = $1 FOR UPDATE", entry_id)
    return _entry(row) if row else None


# Every row of a batch in one statement, as one JSON array of rows: PostgreSQL plans and
# runs it once, where a statement per row costs an executor run (and a message) per row.
_SAVE_ENTRIES = (
    f"INSERT INTO entries ({_ENTRY_COLUMNS}) SELECT {_ENTRY_COLUMNS}"
    " FROM jsonb_populate_recordset(NULL::entries, $1::jsonb)"
    " ON CONFLICT (entry_id) DO UPDATE SET"
    " (status, offering_id, title, academy_id, academy_name, kind, domains, goal_tags, hours,"
    "  completed_on, school_year, detail, evidence, reflections, notes, updated_at) ="
    " (EXCLUDED.status, EXCLUDED.offering_id, EXCLUDED.title, EXCLUDED.academy_id,"
    "  EXCLUDED.academy_name, EXCLUDED.kind, EXCLUDED.domains, EXCLUDED.goal_tags,"
    "  EXCLUDED.hours, EXCLUDED.completed_on, EXCLUDED.school_year, EXCLUDED.detail,"
    "  EXCLUDED.evidence, EXCLUDED.reflections, EXCLUDED.notes, now())"
)


async def save_entry(conn: Connection, e: Entry) -> None:
    await save_entries(conn, [e])


async def get_entries(conn: Connection, entry_ids: Iterable[UUID]) -> dict[UUID, Entry]:
    """The entries that exist among these, row-locked (in id order, so that two
    transactions never lock the same rows in opposite orders)."""
    rows = await conn.fetch(
        "SELECT * FROM entries WHERE entry_id = ANY($1::uuid[]) ORDER BY entry_id FOR UPDATE",
        sorted(set(entry_ids)),
    )
    return {r["entry_id"]: _entry(r) for r in rows}


async def save_entries(conn: Connection, entries: Iterable[Entry]) -> None:
    """Each entry at most once (a statement cannot update one row twice)."""
    await conn.execute(
        _SAVE_ENTRIES, to_json([_entry_row(e) for e in entries], fallback=str).decode()
    )


def _entry_row(e: Entry) -> dict[str, Any]:
    return {
        "entry_id": e.entry_id,
        "staff_id": e.staff_id,
        "source": e.source,
        "status": e.status,
        "offering_id": e.offering_id,
        "title": e.title,
        "academy_id": e.academy_id,
        "academy_name": e.academy_name,
        "kind": e.kind,
        "domains": e.domains,
        "goal_tags": e.goal_tags,
        "hours": e.hours,
        "completed_on": e.completed_on,
        "school_year": school_year(e.completed_on) if e.completed_on else None,
        "detail": e.detail,
        "evidence": e.evidence,
        "reflections": e.reflections,
        "notes": e.notes,
    }


def _entry(r: asyncpg.Record) -> Entry:
    return Entry(
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
        evidence=tuple(json.loads(r["evidence"])),
        reflections=tuple(json.loads(r["reflections"])),
        notes=tuple(json.loads(r["notes"])),
    )


async def entries_of(conn: Connection, staff_id: UUID) -> list[Entry]:
    rows = await conn.fetch(
        "SELECT * FROM entries WHERE staff_id = $1 ORDER BY completed_on NULLS LAST, updated_at",
        staff_id,
    )
    return [_entry(r) for r in rows]


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


async def save_file(
    conn: Connection, evidence_id: UUID, staff_id: UUID, name: str, media_type: str, content: bytes
) -> None:
    await conn.execute(
        "INSERT INTO evidence_files (evidence_id, staff_id, file_name, media_type, content)"
        " VALUES ($1, $2, $3, $4, $5)",
        evidence_id,
        staff_id,
        name,
        media_type,
        content,
    )


async def get_file(conn: Connection, evidence_id: UUID) -> tuple[str, str, bytes] | None:
    row = await conn.fetchrow(
        "SELECT file_name, media_type, content FROM evidence_files WHERE evidence_id = $1",
        evidence_id,
    )
    return (row["file_name"], row["media_type"], bytes(row["content"])) if row else None


async def add_follow_up(conn: Connection, f: FollowUp) -> None:
    """Recorded at the time the school recorded it (also when replayed in a rebuild)."""
    await conn.execute(
        "INSERT INTO follow_ups"
        " (follow_up_id, audit_id, point_index, action, closed, recorded_by, recorded_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()))"
        " ON CONFLICT (follow_up_id) DO NOTHING",
        f.follow_up_id,
        f.audit_id,
        f.point_index,
        f.action,
        f.closed,
        f.recorded_by,
        f.recorded_at,
    )


async def follow_ups_of(conn: Connection, school_id: UUID) -> list[FollowUp]:
    rows = await conn.fetch(
        "SELECT f.* FROM follow_ups f JOIN audits a USING (audit_id) WHERE a.school_id = $1"
        " ORDER BY f.recorded_at, f.follow_up_id",
        school_id,
    )
    return [
        FollowUp(
            r["follow_up_id"],
            r["audit_id"],
            r["point_index"],
            r["action"],
            r["closed"],
            r["recorded_by"],
            r["recorded_at"],
        )
        for r in rows
    ]


async def audits_of_board(conn: Connection, board_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT school_id, audit_date, status, theme FROM audits WHERE board_id = $1", board_id
    )
    return [dict(r) for r in rows]


async def save_profile(conn: Connection, p: Profile) -> None:
    await conn.execute(
        "INSERT INTO profiles (staff_id, board_id, role, sector, fte, school_ids, team)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (staff_id) DO UPDATE SET (board_id, role, sector, fte, school_ids, team) ="
        " (EXCLUDED.board_id, EXCLUDED.role, EXCLUDED.sector, EXCLUDED.fte,"
        "  EXCLUDED.school_ids, EXCLUDED.team)",
        p.staff_id,
        p.board_id,
        p.role.value,
        p.sector.value,
        p.fte,
        list(p.school_ids),
        p.team,
    )


async def profile_of(conn: Connection, staff_id: UUID) -> Profile | None:
    r = await conn.fetchrow("SELECT * FROM profiles WHERE staff_id = $1", staff_id)
    return _profile(r) if r else None


def _profile(r: asyncpg.Record) -> Profile:
    return Profile(
        r["staff_id"],
        r["board_id"],
        StaffRole(r["role"]),
        Sector(r["sector"]),
        float(r["fte"]),
        tuple(r["school_ids"]),
        r["team"],
    )


async def profiles_at(conn: Connection, school_id: UUID) -> list[Profile]:
    rows = await conn.fetch("SELECT * FROM profiles WHERE $1 = ANY(school_ids)", school_id)
    return [_profile(r) for r in rows]


async def entries_of_many(conn: Connection, staff_ids: list[UUID]) -> list[Entry]:
    rows = await conn.fetch("SELECT * FROM entries WHERE staff_id = ANY($1::uuid[])", staff_ids)
    return [_entry(r) for r in rows]


async def save_plan(conn: Connection, staff_id: UUID, school_year: str, goals_json: str) -> None:
    await conn.execute(
        "INSERT INTO plans (staff_id, school_year, goals) VALUES ($1, $2, $3)"
        " ON CONFLICT (staff_id, school_year) DO UPDATE SET goals = EXCLUDED.goals",
        staff_id,
        school_year,
        goals_json,
    )


async def plan_of(conn: Connection, staff_id: UUID, school_year: str) -> str | None:
    goals: str | None = await conn.fetchval(
        "SELECT goals FROM plans WHERE staff_id = $1 AND school_year = $2", staff_id, school_year
    )
    return goals


async def set_board_targets(conn: Connection, board_id: UUID, targets: dict[str, float]) -> None:
    await conn.execute("DELETE FROM board_targets WHERE board_id = $1", board_id)
    await conn.executemany(
        "INSERT INTO board_targets (board_id, role, hours_per_year) VALUES ($1, $2, $3)",
        [(board_id, role, hours) for role, hours in targets.items()],
    )


async def board_targets(conn: Connection, board_id: UUID) -> dict[str, float]:
    rows = await conn.fetch(
        "SELECT role, hours_per_year FROM board_targets WHERE board_id = $1", board_id
    )
    return {r["role"]: float(r["hours_per_year"]) for r in rows}
