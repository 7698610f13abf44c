"""The catalogue's PostgreSQL adapter: one Store per connection, for units of work and
queries alike."""

from dataclasses import astuple
from uuid import UUID

import asyncpg
from pydantic import TypeAdapter

from contracts.values import AuditorCredit, AuditTeamMember, Findings, OfferingDetails
from services.catalogue.domain.audits import Audit, AuditStatus
from services.catalogue.domain.offerings import Academy, Offering, OfferingStatus, OfferingView
from services.catalogue.domain.programmes import Programme
from services.catalogue.store import search
from services.catalogue.store.search import OfferingQuery
from services.shared.db import Connection

_team = TypeAdapter(tuple[AuditTeamMember, ...])
_credits = TypeAdapter(tuple[AuditorCredit, ...])


def _offering(row: asyncpg.Record) -> Offering:
    return Offering(
        OfferingDetails.model_validate_json(row["details"]), OfferingStatus(row["status"])
    )


def _audit(row: asyncpg.Record) -> Audit:
    return Audit(
        audit_id=row["audit_id"],
        school_id=row["school_id"],
        board_id=row["board_id"],
        theme=row["theme"],
        audit_date=row["audit_date"],
        team=_team.validate_json(row["team"]),
        status=AuditStatus(row["status"]),
        findings=Findings.model_validate_json(row["findings"]) if row["findings"] else None,
        credits=_credits.validate_json(row["credits"] or "[]"),
        reason=row["reason"],
        rescheduled_from=row["rescheduled_from"],
    )


def _programme(row: asyncpg.Record) -> Programme:
    return Programme(
        row["programme_id"], row["academy_id"], row["title"], tuple(row["offering_ids"])
    )


class Store:
    """The catalogue's tables, on one connection (inside a unit of work's transaction, or
    not, for queries)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_academy(self, academy: Academy) -> None:
        await self._conn.execute(
            "INSERT INTO academies (academy_id, board_id, name) VALUES ($1, $2, $3)",
            academy.academy_id,
            academy.board_id,
            academy.name,
        )

    async def get_academy(self, academy_id: UUID) -> Academy | None:
        row = await self._conn.fetchrow("SELECT * FROM academies WHERE academy_id = $1", academy_id)
        return Academy(row["academy_id"], row["board_id"], row["name"]) if row else None

    async def save_offering(self, offering: Offering) -> None:
        d = offering.details
        await self._conn.execute(
            "INSERT INTO offerings (offering_id, academy_id, details, status)"
            " VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (offering_id) DO UPDATE"
            " SET details = EXCLUDED.details, status = EXCLUDED.status, updated_at = now()",
            d.offering_id,
            d.academy_id,
            d.model_dump_json(),
            offering.status.value,
        )

    async def get_offering(self, offering_id: UUID, *, lock: bool = False) -> Offering | None:
        sql = "SELECT details, status FROM offerings WHERE offering_id = $1"
        row = await self._conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), offering_id)
        return _offering(row) if row else None

    async def get_offerings(self, offering_ids: list[UUID]) -> dict[UUID, Offering]:
        rows = await self._conn.fetch(
            "SELECT details, status FROM offerings WHERE offering_id = ANY($1::uuid[]) FOR SHARE",
            offering_ids,
        )
        found = (_offering(r) for r in rows)
        return {o.details.offering_id: o for o in found}

    async def seats_taken(self, offering_id: UUID) -> int:
        taken: int | None = await self._conn.fetchval(
            "SELECT taken FROM seats WHERE offering_id = $1", offering_id
        )
        return taken or 0

    async def save_audit(self, a: Audit) -> None:
        await self._conn.execute(
            "INSERT INTO audits (audit_id, school_id, board_id, theme, audit_date, team, status,"
            " findings, credits, reason, rescheduled_from)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            " ON CONFLICT (audit_id) DO UPDATE SET status = EXCLUDED.status,"
            " findings = EXCLUDED.findings, credits = EXCLUDED.credits, reason = EXCLUDED.reason,"
            " audit_date = EXCLUDED.audit_date, rescheduled_from = EXCLUDED.rescheduled_from",
            a.audit_id,
            a.school_id,
            a.board_id,
            a.theme,
            a.audit_date,
            _team.dump_json(a.team).decode(),
            a.status.value,
            a.findings.model_dump_json() if a.findings else None,
            _credits.dump_json(a.credits).decode(),
            a.reason,
            a.rescheduled_from,
        )

    async def get_audit(self, audit_id: UUID, *, lock: bool = False) -> Audit | None:
        sql = "SELECT * FROM audits WHERE audit_id = $1"
        row = await self._conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), audit_id)
        return _audit(row) if row else None

    async def list_audits(self, school_id: UUID | None) -> list[Audit]:
        rows = await self._conn.fetch(
            "SELECT * FROM audits WHERE $1::uuid IS NULL OR school_id = $1"
            " ORDER BY audit_date, audit_id",
            school_id,
        )
        return [_audit(r) for r in rows]

    async def audits_with(self, staff_id: UUID) -> list[Audit]:
        """The audits whose team the person is on."""
        rows = await self._conn.fetch(
            "SELECT * FROM audits"
            " WHERE team @> jsonb_build_array(jsonb_build_object('staff_id', $1::text))"
            " ORDER BY audit_date, audit_id",
            str(staff_id),
        )
        return [_audit(r) for r in rows]

    async def add_programme(self, p: Programme) -> None:
        await self._conn.execute(
            "INSERT INTO programmes (programme_id, academy_id, title, offering_ids)"
            " VALUES ($1, $2, $3, $4)",
            *astuple(p),
        )

    async def get_programme(self, programme_id: UUID) -> Programme | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM programmes WHERE programme_id = $1", programme_id
        )
        return _programme(row) if row else None

    async def list_programmes(self, academy_id: UUID | None) -> list[Programme]:
        rows = await self._conn.fetch(
            "SELECT * FROM programmes WHERE $1::uuid IS NULL OR academy_id = $1"
            " ORDER BY created_at, programme_id",
            academy_id,
        )
        return [_programme(r) for r in rows]

    async def add_seats(self, offering_id: UUID, delta: int) -> None:
        await self._conn.execute(
            "INSERT INTO seats (offering_id, taken) VALUES ($1, $2)"
            " ON CONFLICT (offering_id) DO UPDATE"
            " SET taken = seats.taken + EXCLUDED.taken, updated_at = now()",
            offering_id,
            delta,
        )

    async def search(self, query: OfferingQuery) -> list[OfferingView]:
        return await search.find(self._conn, query)

    async def view(self, offering_id: UUID) -> OfferingView | None:
        return await search.view(self._conn, offering_id)
