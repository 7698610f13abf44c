"""The portfolio's entries."""

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg
from pydantic_core import to_json

from contracts.values import EnrollmentStatus
from services.portfolio.domain.entries import Entry, EntrySource
from services.portfolio.domain.ledger import school_year
from services.shared.db import Connection

_ENTRY_COLUMNS = (
    "entry_id, staff_id, source, status, offering_id, title, academy_id, academy_name, kind,"
    " domains, goal_tags, hours, completed_on, school_year, detail, evidence, reflections, notes"
)


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
        source=EntrySource(r["source"]),
        status=EnrollmentStatus(r["status"]),
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


class EntryTables:
    """Every staff member's entries."""

    _conn: Connection

    async def get_entry(self, entry_id: UUID) -> Entry | None:
        """The entry, row-locked until the caller's transaction ends."""
        row = await self._conn.fetchrow(
            "SELECT * FROM entries WHERE entry_id = $1 FOR UPDATE", entry_id
        )
        return _entry(row) if row else None

    # Every row of a batch in one statement, as one JSON array of rows: PostgreSQL plans and
    # runs it once, where a statement per row costs an executor run (and a message) per row.

    async def get_entries(self, entry_ids: Iterable[UUID]) -> dict[UUID, Entry]:
        """The entries that exist among these, row-locked (in id order, so that two
        transactions never lock the same rows in opposite orders)."""
        rows = await self._conn.fetch(
            "SELECT * FROM entries WHERE entry_id = ANY($1::uuid[]) ORDER BY entry_id FOR UPDATE",
            sorted(set(entry_ids)),
        )
        return {r["entry_id"]: _entry(r) for r in rows}

    async def save_entries(self, entries: Iterable[Entry]) -> None:
        """Each entry at most once (a statement cannot update one row twice)."""
        await self._conn.execute(
            _SAVE_ENTRIES, to_json([_entry_row(e) for e in entries], fallback=str).decode()
        )

    async def entries_of(self, staff_id: UUID) -> list[Entry]:
        rows = await self._conn.fetch(
            "SELECT * FROM entries WHERE staff_id = $1"
            " ORDER BY completed_on NULLS LAST, updated_at",
            staff_id,
        )
        return [_entry(r) for r in rows]

    async def entries_of_many(self, staff_ids: list[UUID]) -> list[Entry]:
        rows = await self._conn.fetch(
            "SELECT * FROM entries WHERE staff_id = ANY($1::uuid[])", staff_ids
        )
        return [_entry(r) for r in rows]
