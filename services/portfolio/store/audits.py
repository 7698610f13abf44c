"""The portfolio's audit histories: each school's audits and the follow-up of their
points to improve."""

import json
from collections.abc import Iterable
from dataclasses import astuple, fields
from datetime import date
from typing import Any
from uuid import UUID

from contracts.catalogue import AuditCompleted, AuditScheduled
from services.portfolio.domain.audit_history import FollowUp
from services.shared.db import Connection


class AuditTables:
    """Audits as the catalogue's events describe them, and follow-ups."""

    _conn: Connection

    async def upsert_audit(self, event: AuditScheduled | AuditCompleted) -> None:
        status = "completed" if isinstance(event, AuditCompleted) else "scheduled"
        findings = event.findings.model_dump_json() if isinstance(event, AuditCompleted) else None
        await self._conn.execute(
            "INSERT INTO audits"
            " (audit_id, school_id, board_id, theme, audit_date, status, team, findings)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (audit_id) DO UPDATE SET status = EXCLUDED.status,"
            " team = EXCLUDED.team, findings = EXCLUDED.findings, theme = EXCLUDED.theme,"
            " audit_date = EXCLUDED.audit_date,"
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

    async def reschedule_audit(self, audit_id: UUID, audit_date: date) -> None:
        await self._conn.execute(
            "UPDATE audits SET audit_date = $2, updated_at = now() WHERE audit_id = $1",
            audit_id,
            audit_date,
        )

    async def cancel_audit(self, audit_id: UUID, reason: str) -> None:
        await self._conn.execute(
            "UPDATE audits SET status = 'cancelled', reason = $2, updated_at = now()"
            " WHERE audit_id = $1",
            audit_id,
            reason,
        )

    async def audits_of(self, school_id: UUID) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT audit_id, school_id, board_id, theme, audit_date, status, team, findings,"
            " reason"
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

    async def add_follow_ups(self, follow_ups: Iterable[FollowUp]) -> None:
        """Recorded at the time the school recorded it (also when replayed in a rebuild)."""
        await self._conn.executemany(
            "INSERT INTO follow_ups"
            " (follow_up_id, audit_id, point_index, action, closed, recorded_by, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()))"
            " ON CONFLICT (follow_up_id) DO NOTHING",
            [astuple(f) for f in follow_ups],
        )

    async def follow_ups_of(self, school_id: UUID) -> list[FollowUp]:
        rows = await self._conn.fetch(
            "SELECT f.* FROM follow_ups f JOIN audits a USING (audit_id) WHERE a.school_id = $1"
            " ORDER BY f.recorded_at, f.follow_up_id",
            school_id,
        )
        return [FollowUp(**{f.name: r[f.name] for f in fields(FollowUp)}) for r in rows]

    async def audits_of_board(self, board_id: UUID) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT school_id, audit_date, status, theme FROM audits WHERE board_id = $1", board_id
        )
        return [dict(r) for r in rows]
