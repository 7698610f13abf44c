"""What staff, school leaders and boards add to a portfolio themselves. Each command
checks what it names, decides its event and applies it through the same handler as every
other event (handlers.project), in one unit of work: the read model, the outbox and the
journal change together."""

import hashlib
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

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
from contracts.privacy import PersonErased
from services.portfolio.domain.audit_history import FollowUp
from services.portfolio.domain.portfolio import Annotation, Entry, Portfolio, follow_up_from
from services.portfolio.handlers import keep_departures, project
from services.portfolio.store import Store
from services.shared.clock import dutch_today
from services.shared.errors import CommandRejected, Conflict, NotFound
from services.shared.identity.directory import Directory
from services.shared.logging import get_logger
from services.shared.privacy.keys import KeyStore
from services.shared.unit_of_work import Begin, Database, UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class Upload:
    file_name: str
    media_type: str
    content: bytes


class PortfolioCommands:
    def __init__(self, begin: Begin[Store]) -> None:
        self._begin = begin

    async def add_entry(self, event: EntryAdded) -> Entry:
        async with self._begin() as unit:
            return (await _apply(unit, event)).entries[event.entry_id]

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
        async with self._begin() as unit:
            entry = await _annotate(unit, event)
            if upload is not None:
                await unit.store.save_file(
                    evidence_id, staff_id, upload.file_name, upload.media_type, upload.content
                )
            return entry

    async def add_reflection(self, staff_id: UUID, entry_id: UUID, text: str) -> Entry:
        event = ReflectionAdded(
            staff_id=staff_id, entry_id=entry_id, reflection_id=uuid4(), text=text
        )
        async with self._begin() as unit:
            return await _annotate(unit, event)

    async def add_note(self, staff_id: UUID, entry_id: UUID, leader_id: UUID, text: str) -> Entry:
        event = LeaderNoteAdded(
            staff_id=staff_id, entry_id=entry_id, note_id=uuid4(), leader_id=leader_id, text=text
        )
        async with self._begin() as unit:
            return await _annotate(unit, event)

    async def record_follow_up(
        self,
        school_id: UUID,
        audit_id: UUID,
        point_index: int,
        action: str,
        closed: bool,
        recorded_by: UUID,
    ) -> FollowUp:
        async with self._begin() as unit:
            audits = await unit.store.audits_of(school_id)
            audit = next((a for a in audits if a["audit_id"] == audit_id), None)
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
            await _apply(unit, event)
            return follow_up_from(event)

    async def set_profile(self, event: StaffProfileSet) -> StaffProfileSet:
        async with self._begin() as unit:
            await _apply(unit, event)
        return event

    async def set_plan(self, event: PlanSet) -> PlanSet:
        """A new plan for a school year replaces the old one."""
        async with self._begin() as unit:
            await _apply(unit, event)
        return event

    async def record_departure(self, event: StaffLeft | DepartureWithdrawn) -> None:
        """The person left (their board's retention period starts on the day they left),
        or that was a mistake, or they came back."""
        async with self._begin() as unit:
            unit.emit([event])
            await keep_departures(unit, [event])

    async def set_retention(self, board_id: UUID, after_leaving_days: int) -> None:
        """How long the board keeps a dossier after the person leaves (no event:
        configuration, as targets are)."""
        async with self._begin() as unit:
            await unit.store.set_retention(board_id, after_leaving_days)

    async def set_board_targets(self, board_id: UUID, targets: dict[str, float]) -> None:
        """A board's yearly targets per role, at full time (no event: configuration)."""
        async with self._begin() as unit:
            await unit.store.set_board_targets(board_id, targets)


Event = EntryAdded | Annotation | FollowUpRecorded | StaffProfileSet | PlanSet


async def _apply(unit: UnitOfWork[Store], event: Event) -> Portfolio:
    unit.emit([event])
    return await project(unit, [event])


async def _annotate(unit: UnitOfWork[Store], event: Annotation) -> Entry:
    """Evidence, a reflection or a note on an entry of the staff member's."""
    await _entry(unit, event.staff_id, event.entry_id)
    return (await _apply(unit, event)).entries[event.entry_id]


async def _entry(unit: UnitOfWork[Store], staff_id: UUID, entry_id: UUID) -> Entry:
    """The entry, row-locked until the unit of work ends."""
    entry = await unit.store.get_entry(entry_id)
    if entry is None or entry.staff_id != staff_id:
        raise NotFound(f"no entry {entry_id} in the portfolio of {staff_id}")
    return entry


class Erasure:
    """A staff member erased (GDPR article 17), by their board's privacy officer or by the
    retention job: the erasure is recorded as pending; the person's key is destroyed
    (every text sealed with it, on every topic and in every replay, is unreadable from
    then on); the portfolio forgets them and says so (PersonErased); the directory forgets
    who they were; then it is no longer pending. Each step may be repeated: one that fails
    part-way is finished by the retention job (or by erasing again)."""

    def __init__(self, database: Database[Store], directory: Directory) -> None:
        self._database = database
        self._directory = directory

    async def erase(self, staff_id: UUID, erased_by: UUID | None, reason: str) -> datetime:
        self._key_store()  # before anything is recorded as pending
        async with self._database.transaction() as unit:
            await unit.store.ask_erasure(staff_id, erased_by, reason)
        return await self.finish(staff_id, erased_by, reason)

    async def finish(self, staff_id: UUID, erased_by: UUID | None, reason: str) -> datetime:
        await self._key_store().erase(staff_id)
        erased_at = datetime.now(UTC)
        async with self._database.transaction() as unit:
            await unit.store.erase(staff_id, erased_by, reason)
            unit.emit([PersonErased(staff_id=staff_id, erased_at=erased_at)])
        await self._directory.forget(staff_id)
        async with self._database.transaction() as unit:
            await unit.store.erasure_finished(staff_id)
        return erased_at

    def _key_store(self) -> KeyStore:
        if self._database.sealer is None:
            raise CommandRejected("no key store is configured: the person's key cannot go")
        return self._database.sealer.keys


RETENTION_LOCK = "portfolio retention"
"""One retention job at a time, however many instances of the portfolio run."""
PENDING_GRACE = timedelta(minutes=5)
"""An erasure under way in a request is left to it this long before the job finishes it."""


async def erase_what_is_due(
    erasure: Erasure, database: Database[Store], directory: Directory, default_days: int
) -> int:
    """The retention job: finishes erasures left pending, then erases everyone whose
    board's retention period after they left has ended; someone the directory now places
    at another board is not the old board's to erase (their departure is set aside).
    One failure does not hold up the rest. Returns how many it erased."""
    erased = 0
    async with database.pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock(hashtext($1))", RETENTION_LOCK
        ):
            return 0  # another instance is at it
        store = Store(conn)
        for staff_id, requested_by, reason in await store.pending_erasures(PENDING_GRACE):
            erased += await _one(erasure.finish(staff_id, requested_by, reason), staff_id)
        for due in await store.due_for_erasure(dutch_today(), default_days):
            person = await directory.person(due.staff_id)
            if person is not None and person.board_id != due.board_id:
                # An event, so that a rebuild does not bring the departure back.
                withdrawn = DepartureWithdrawn(staff_id=due.staff_id, board_id=due.board_id)
                await PortfolioCommands(database.transaction).record_departure(withdrawn)
                log.info("departure_set_aside", staff_id=str(due.staff_id), why="other board")
                continue
            why = f"retention: left on {due.left_on.isoformat()}, kept {due.days} days after"
            erased += await _one(erasure.erase(due.staff_id, None, why), due.staff_id)
    return erased


async def _one(erasing: Coroutine[Any, Any, datetime], staff_id: UUID) -> int:
    try:
        await erasing
    except Exception as e:  # the next run tries again; the others go on now
        log.warning("retention_erasure_failed", staff_id=str(staff_id), error=type(e).__name__)
        return 0
    return 1
