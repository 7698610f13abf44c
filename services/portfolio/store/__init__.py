"""The portfolio's PostgreSQL adapter: one Store per connection, for units of work and
queries alike. Entries, the journal (every event the portfolio applied or made, kept so
that a portfolio can be shown as it stood on any date), profiles, plans, boards' targets
and evidence files here; audit histories in the module beside it."""

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import TypeAdapter
from pydantic_core import to_json

from contracts import Envelope, Event
from contracts.portfolio import PlanGoal
from contracts.registry import event_type_for
from contracts.values import EnrollmentStatus, Sector, StaffRole
from services.portfolio.domain.hours import school_year
from services.portfolio.domain.portfolio import Entry, EntrySource, PlanKey, staff_of
from services.portfolio.domain.profiles import Profile
from services.portfolio.store.audits import AuditTables
from services.portfolio.store.people import PersonTables
from services.portfolio.store.retention import RetentionTables
from services.shared.db import Connection

ENTRY_COLUMNS = (
    "entry_id", "staff_id", "source", "status", "offering_id", "title", "academy_id",
    "academy_name", "kind", "domains", "goal_tags", "hours", "completed_on", "school_year",
    "detail", "evidence", "reflections", "notes",
)  # fmt: skip
_ENTRY_COLUMNS = ", ".join(ENTRY_COLUMNS)


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


def entry_row(e: Entry) -> dict[str, Any]:
    # vars(), not asdict(): asdict deep-copies every value, and this runs for every entry.
    return {**vars(e), "school_year": school_year(e.completed_on) if e.completed_on else None}


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


def _row(e: Envelope[Event]) -> bytes:
    about = to_json({"event_id": e.id, "type": e.type, "at": e.time, "staff_ids": staff_of(e.data)})
    return about[:-1] + b',"data":' + e.body() + b"}"


_goals = TypeAdapter(tuple[PlanGoal, ...])


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


class Store(AuditTables, PersonTables, RetentionTables):
    """The portfolio's tables on one connection."""

    def __init__(self, conn: Connection, *, lock: bool = True) -> None:
        self._conn = conn
        self._lock = " FOR UPDATE" if lock else ""
        """Whether the entries read to be written are row-locked: not in a rebuild, which
        is the only writer of its fresh database."""

    async def get_entry(self, entry_id: UUID) -> Entry | None:
        """The entry, row-locked until the caller's transaction ends."""
        row = await self._conn.fetchrow(
            "SELECT * FROM entries WHERE entry_id = $1 FOR UPDATE", entry_id
        )
        return _entry(row) if row else None

    # Every row of a batch in one statement, as one JSON array of rows: PostgreSQL plans and
    # runs it once, where a statement per row costs an executor run (and a message) per row.

    async def hold_people(self, staff_ids: Iterable[UUID]) -> None:
        """Each person's lock against an erasure, shared, in order, before any row of theirs
        is locked: as an erasure takes it (alone) before it deletes their rows. The tables'
        guard takes it again after each statement (migrations/005_erasure_per_statement.sql),
        which is then a lock already held, not a wait behind a row."""
        await self._conn.execute(
            "SELECT pg_advisory_xact_lock_shared(person_lock(s))"
            " FROM (SELECT DISTINCT unnest($1::uuid[]) AS s ORDER BY 1) AS people",
            list(set(staff_ids)),
        )

    async def get_entries(self, entry_ids: Iterable[UUID]) -> dict[UUID, Entry]:
        """The entries that exist among these, row-locked (in id order, so that two
        transactions never lock the same rows in opposite orders)."""
        rows = await self._conn.fetch(
            "SELECT * FROM entries WHERE entry_id = ANY($1::uuid[]) ORDER BY entry_id" + self._lock,
            sorted(set(entry_ids)),
        )
        return {r["entry_id"]: _entry(r) for r in rows}

    async def save_entries(self, entries: Iterable[Entry]) -> None:
        """Each entry at most once (a statement cannot update one row twice)."""
        await self._conn.execute(
            _SAVE_ENTRIES, to_json([entry_row(e) for e in entries], fallback=str).decode()
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

    async def record(self, envelopes: Sequence[Envelope[Event]]) -> None:
        """In the caller's transaction, beside the effect; every row in one statement."""
        await self.claim(envelopes)

    async def claim(self, envelopes: Sequence[Envelope[Event]]) -> set[UUID]:
        """The events' journal rows, in the caller's transaction; returns the ids it did not
        hold before (its unique event id drops an event that comes twice)."""
        rows = await self._conn.fetch(
            "INSERT INTO journal (event_id, type, at, staff_ids, data)"
            " SELECT event_id, type, at, staff_ids, data"
            " FROM jsonb_populate_recordset(NULL::journal, $1::jsonb)"
            " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            (b"[" + b",".join(_row(e) for e in envelopes) + b"]").decode(),
        )
        return {r["event_id"] for r in rows}

    async def events_of(self, staff_id: UUID, until: datetime) -> list[Event]:
        """The events about a staff member recorded before `until`, in the order applied."""
        rows = await self._conn.fetch(
            "SELECT type, data FROM journal"
            " WHERE staff_ids @> ARRAY[$1::uuid] AND at < $2 ORDER BY seq",
            staff_id,
            until,
        )
        return [event_type_for(r["type"]).model_validate_json(r["data"]) for r in rows]

    async def erase(self, staff_id: UUID, erased_by: UUID | None, reason: str) -> None:
        """Everything the portfolio holds about a staff member goes, and is never stored
        again (migrations/002_erasure.sql): entries, evidence files, profile, plans, their
        departure, and their part of the journal (a row about others as well keeps theirs)."""
        # Alone with the person: writes about them under way end first (002_erasure.sql).
        await self._conn.execute("SELECT pg_advisory_xact_lock(person_lock($1))", staff_id)
        await self._conn.execute(
            "INSERT INTO erased_staff (staff_id, erased_by, reason) VALUES ($1, $2, $3)"
            " ON CONFLICT (staff_id) DO NOTHING",
            staff_id,
            erased_by,
            reason,
        )
        for table in ("entries", "evidence_files", "profiles", "plans", "departures"):
            await self._conn.execute(f"DELETE FROM {table} WHERE staff_id = $1", staff_id)
        await self._conn.execute(
            "DELETE FROM journal WHERE staff_ids <@ ARRAY[$1::uuid] AND cardinality(staff_ids) > 0",
            staff_id,
        )
        await self._conn.execute(
            "UPDATE journal SET staff_ids = array_remove(staff_ids, $1)"
            " WHERE staff_ids @> ARRAY[$1::uuid]",
            staff_id,
        )

    async def save_file(
        self, evidence_id: UUID, staff_id: UUID, name: str, media_type: str, content: bytes
    ) -> None:
        await self._conn.execute(
            "INSERT INTO evidence_files (evidence_id, staff_id, file_name, media_type, content)"
            " VALUES ($1, $2, $3, $4, $5)",
            evidence_id,
            staff_id,
            name,
            media_type,
            content,
        )

    async def get_file(self, evidence_id: UUID) -> tuple[UUID, str, str, bytes] | None:
        row = await self._conn.fetchrow(
            "SELECT staff_id, file_name, media_type, content FROM evidence_files"
            " WHERE evidence_id = $1",
            evidence_id,
        )
        if row is None:
            return None
        return row["staff_id"], row["file_name"], row["media_type"], bytes(row["content"])

    async def save_profiles(self, profiles: Iterable[Profile]) -> None:
        await self._conn.executemany(
            "INSERT INTO profiles (staff_id, board_id, role, sector, fte, school_ids, team)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (staff_id) DO UPDATE"
            " SET (board_id, role, sector, fte, school_ids, team) ="
            " (EXCLUDED.board_id, EXCLUDED.role, EXCLUDED.sector, EXCLUDED.fte,"
            "  EXCLUDED.school_ids, EXCLUDED.team)",
            [
                (
                    p.staff_id,
                    p.board_id,
                    p.role.value,
                    p.sector.value,
                    p.fte,
                    list(p.school_ids),
                    p.team,
                )
                for p in profiles
            ],
        )

    async def profile_of(self, staff_id: UUID) -> Profile | None:
        r = await self._conn.fetchrow("SELECT * FROM profiles WHERE staff_id = $1", staff_id)
        return _profile(r) if r else None

    async def profiles_at(self, school_id: UUID) -> list[Profile]:
        rows = await self._conn.fetch(
            "SELECT * FROM profiles WHERE $1 = ANY(school_ids)", school_id
        )
        return [_profile(r) for r in rows]

    async def save_plans(self, plans: Mapping[PlanKey, Sequence[PlanGoal]]) -> None:
        """A plan replaces the person's plan for that school year."""
        await self._conn.executemany(
            "INSERT INTO plans (staff_id, school_year, goals) VALUES ($1, $2, $3)"
            " ON CONFLICT (staff_id, school_year) DO UPDATE SET goals = EXCLUDED.goals",
            [
                (staff, year, _goals.dump_json(tuple(goals)).decode())
                for (staff, year), goals in plans.items()
            ],
        )

    async def plan_of(self, staff_id: UUID, school_year: str) -> tuple[PlanGoal, ...]:
        """The person's goals for the school year; none without a plan."""
        goals: str | None = await self._conn.fetchval(
            "SELECT goals FROM plans WHERE staff_id = $1 AND school_year = $2",
            staff_id,
            school_year,
        )
        return _goals.validate_json(goals) if goals else ()

    async def set_board_targets(self, board_id: UUID, targets: dict[str, float]) -> None:
        await self._conn.execute("DELETE FROM board_targets WHERE board_id = $1", board_id)
        await self._conn.executemany(
            "INSERT INTO board_targets (board_id, role, hours_per_year) VALUES ($1, $2, $3)",
            [(board_id, role, hours) for role, hours in targets.items()],
        )

    async def board_targets(self, board_id: UUID) -> dict[str, float]:
        rows = await self._conn.fetch(
            "SELECT role, hours_per_year FROM board_targets WHERE board_id = $1", board_id
        )
        return {r["role"]: float(r["hours_per_year"]) for r in rows}
