"""What the portfolio holds about one person beyond their entries, for their data export:
plans, evidence files, the audits whose team they were on, the follow-ups they recorded."""

import json
from typing import Any
from uuid import UUID

from services.shared.db import Connection


class PersonTables:
    _conn: Connection

    async def plans_of(self, staff_id: UUID) -> dict[str, Any]:
        rows = await self._conn.fetch(
            "SELECT school_year, goals FROM plans WHERE staff_id = $1 ORDER BY school_year",
            staff_id,
        )
        return {r["school_year"]: json.loads(r["goals"]) for r in rows}

    async def files_of(self, staff_id: UUID) -> list[dict[str, Any]]:
        """Their evidence files, without the content (one is read at a time, when sent)."""
        rows = await self._conn.fetch(
            "SELECT evidence_id, file_name, media_type, octet_length(content) AS size"
            " FROM evidence_files WHERE staff_id = $1 ORDER BY evidence_id",
            staff_id,
        )
        return [dict(r) for r in rows]

    async def audit_roles_of(self, staff_id: UUID) -> list[dict[str, Any]]:
        """The audits whose team they were on, each with what they were on it: not the
        findings (the team's, about the school) nor the others on the team."""
        rows = await self._conn.fetch(
            "SELECT audit_id, school_id, theme, audit_date, status, member"
            " FROM audits, jsonb_array_elements(team) AS member"
            " WHERE team @> jsonb_build_array(jsonb_build_object('staff_id', $1::text))"
            " AND member ->> 'staff_id' = $1::text ORDER BY audit_date, audit_id",
            str(staff_id),
        )
        return [{**dict(r), "member": json.loads(r["member"])} for r in rows]

    async def follow_ups_by(self, staff_id: UUID) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT follow_up_id, audit_id, point_index, action, closed, recorded_at"
            " FROM follow_ups WHERE recorded_by = $1 ORDER BY recorded_at",
            staff_id,
        )
        return [dict(r) for r in rows]
