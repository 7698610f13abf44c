"""The portfolio's own events applied from Kafka, as a rebuild needs them: what the
commands did directly when they were given. Each is idempotent."""

import json
from collections.abc import Mapping

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
from services.portfolio import store
from services.portfolio.audit_history import FollowUp
from services.portfolio.entries import Annotation, annotate
from services.portfolio.projection import apply_entries
from services.portfolio.targets import Profile
from services.shared.consumer import Handler
from services.shared.db import Connection


async def on_annotation(conn: Connection, event: Annotation) -> None:
    entry = await store.get_entry(conn, event.entry_id)
    if entry is not None:
        await store.save_entry(conn, annotate(entry, event))


async def on_follow_up(conn: Connection, e: FollowUpRecorded) -> None:
    follow_up = FollowUp(
        e.follow_up_id, e.audit_id, e.point_index, e.action, e.closed, e.recorded_by, e.recorded_at
    )
    await store.add_follow_up(conn, follow_up)


async def on_profile(conn: Connection, e: StaffProfileSet) -> None:
    await store.save_profile(
        conn, Profile(e.staff_id, e.board_id, e.role, e.sector, e.fte, e.school_ids, e.team)
    )


async def on_plan(conn: Connection, e: PlanSet) -> None:
    await store.save_plan(
        conn, e.staff_id, e.school_year, json.dumps([g.model_dump(mode="json") for g in e.goals])
    )


OWN: Mapping[type[Event], Handler] = {
    EntryAdded: apply_entries,
    EvidenceAdded: on_annotation,
    ReflectionAdded: on_annotation,
    LeaderNoteAdded: on_annotation,
    FollowUpRecorded: on_follow_up,
    StaffProfileSet: on_profile,
    PlanSet: on_plan,
}
