"""What staff and school leaders add to a portfolio themselves. Each command changes the
read model, and puts its event in the outbox and the journal, in one transaction."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg

from contracts import Event
from contracts.portfolio import (
    EntryAdded,
    EvidenceAdded,
    FollowUpRecorded,
    LeaderNoteAdded,
    PlanSet,
    ReflectionAdded,
    StaffProfileSet,
)
from services.portfolio import journal, store
from services.portfolio.audit_history import FollowUp
from services.portfolio.domain import Entry
from services.portfolio.entries import Annotation, annotate, entries_from
from services.portfolio.targets import Profile
from services.shared import outbox
from services.shared.db import Connection
from services.shared.errors import CommandRejected, Conflict, NotFound


@dataclass(frozen=True)
class Upload:
    file_name: str
    media_type: str
    content: bytes


class PortfolioCommands:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source

    async def add_entry(self, event: EntryAdded) -> Entry:
        [entry] = entries_from(event)
        async with self._pool.acquire() as conn, conn.transaction():
            await store.save_entry(conn, entry)
            await self._emit(conn, event)
        return entry

    async def add_evidence(
        self,
        staff_id: UUID,
        entry_id: UUID,
        *,
        link: str | None,
        upload: Upload | None,
        description: str,
    ) -> Entry:
        evidence_id = uuid4()
        file_fields = (
            {}
            if upload is None
            else {
                "file_name": upload.file_name,
                "media_type": upload.media_type,
                "size": len(upload.content),
                "sha256": hashlib.sha256(upload.content).hexdigest(),
            }
        )
        event = EvidenceAdded(
            staff_id=staff_id,
            entry_id=entry_id,
            evidence_id=evidence_id,
            link=link,
            description=description,
            **file_fields,
        )
        async with self._pool.acquire() as conn, conn.transaction():
            entry = await self._annotate(conn, staff_id, entry_id, event)
            if upload is not None:
                await store.save_file(
                    conn, evidence_id, staff_id, upload.file_name, upload.media_type, upload.content
                )
        return entry

    async def add_reflection(self, staff_id: UUID, entry_id: UUID, text: str) -> Entry:
        event = ReflectionAdded(
            staff_id=staff_id, entry_id=entry_id, reflection_id=uuid4(), text=text
        )
        async with self._pool.acquire() as conn, conn.transaction():
            return await self._annotate(conn, staff_id, entry_id, event)

    async def add_note(self, staff_id: UUID, entry_id: UUID, leader_id: UUID, text: str) -> Entry:
        event = LeaderNoteAdded(
            staff_id=staff_id, entry_id=entry_id, note_id=uuid4(), leader_id=leader_id, text=text
        )
        async with self._pool.acquire() as conn, conn.transaction():
            return await self._annotate(conn, staff_id, entry_id, event)

    async def record_follow_up(
        self,
        school_id: UUID,
        audit_id: UUID,
        point_index: int,
        action: str,
        closed: bool,
        recorded_by: UUID,
    ) -> FollowUp:
        async with self._pool.acquire() as conn, conn.transaction():
            audit = next(
                (a for a in await store.audits_of(conn, school_id) if a["audit_id"] == audit_id),
                None,
            )
            if audit is None:
                raise NotFound(f"no audit {audit_id} of school {school_id}")
            improvements = (audit["findings"] or {}).get("improvements", [])
            if audit["status"] != "completed":
                raise Conflict(
                    f"the audit is {audit['status']}: follow-up comes after the findings"
                )
            if point_index >= len(improvements):
                raise CommandRejected(
                    f"point_index: the audit has {len(improvements)} point(s) to improve"
                )
            event = FollowUpRecorded(
                school_id=school_id,
                audit_id=audit_id,
                follow_up_id=uuid4(),
                point_index=point_index,
                point=improvements[point_index],
                action=action,
                closed=closed,
                recorded_by=recorded_by,
                recorded_at=datetime.now(UTC),
            )
            follow_up = FollowUp(
                event.follow_up_id,
                audit_id,
                point_index,
                action,
                closed,
                recorded_by,
                event.recorded_at,
            )
            await store.add_follow_up(conn, follow_up)
            await self._emit(conn, event)
            return follow_up

    async def set_profile(self, event: StaffProfileSet) -> Profile:
        profile = Profile(
            event.staff_id,
            event.board_id,
            event.role,
            event.sector,
            event.fte,
            event.school_ids,
            event.team,
        )
        async with self._pool.acquire() as conn, conn.transaction():
            await store.save_profile(conn, profile)
            await self._emit(conn, event)
        return profile

    async def set_plan(self, event: PlanSet) -> PlanSet:
        """A new plan for a school year replaces the old one."""
        goals = json.dumps([g.model_dump(mode="json") for g in event.goals])
        async with self._pool.acquire() as conn, conn.transaction():
            await store.save_plan(conn, event.staff_id, event.school_year, goals)
            await self._emit(conn, event)
        return event

    async def _annotate(
        self, conn: Connection, staff_id: UUID, entry_id: UUID, event: Annotation
    ) -> Entry:
        entry = await store.get_entry(conn, entry_id)
        if entry is None or entry.staff_id != staff_id:
            raise NotFound(f"no entry {entry_id} in the portfolio of {staff_id}")
        annotated = annotate(entry, event)
        await store.save_entry(conn, annotated)
        await self._emit(conn, event)
        return annotated

    async def _emit(self, conn: Connection, event: Event) -> None:
        await journal.record(conn, await outbox.put(conn, self._source, [event]))
