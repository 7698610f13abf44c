"""The catalogue's PostgreSQL adapter."""

from uuid import UUID

import asyncpg
from pydantic import TypeAdapter

from contracts.values import AuditorCredit, AuditTeamMember, Findings, OfferingDetails
from services.catalogue.audits import Audit, AuditStatus
from services.catalogue.domain import Academy, Offering, OfferingStatus
from services.catalogue.programmes import Programme
from services.shared.db import Connection

_team = TypeAdapter(tuple[AuditTeamMember, ...])
_credits = TypeAdapter(tuple[AuditorCredit, ...])


async def add_academy(conn: Connection, academy: Academy) -> None:
    await conn.execute(
        "INSERT INTO academies (academy_id, board_id, name) VALUES ($1, $2, $3)",
        academy.academy_id,
        academy.board_id,
        academy.name,
    )


async def get_academy(conn: Connection, academy_id: UUID) -> Academy | None:
    row = await conn.fetchrow("SELECT * FROM academies WHERE academy_id = $1", academy_id)
    return Academy(row["academy_id"], row["board_id"], row["name"]) if row else None


async def save_offering(conn: Connection, offering: Offering) -> None:
    d = offering.details
    await conn.execute(
        "INSERT INTO offerings (offering_id, academy_id, details, status) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (offering_id) DO UPDATE"
        " SET details = EXCLUDED.details, status = EXCLUDED.status, updated_at = now()",
        d.offering_id,
        d.academy_id,
        d.model_dump_json(),
        offering.status.value,
    )


def _offering(row: asyncpg.Record) -> Offering:
    return Offering(
        OfferingDetails.model_validate_json(row["details"]), OfferingStatus(row["status"])
    )


async def get_offering(
    conn: Connection, offering_id: UUID, *, lock: bool = False
) -> Offering | None:
    sql = "SELECT details, status FROM offerings WHERE offering_id = $1"
    row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), offering_id)
    return _offering(row) if row else None


async def get_offerings(conn: Connection, offering_ids: list[UUID]) -> dict[UUID, Offering]:
    rows = await conn.fetch(
        "SELECT details, status FROM offerings WHERE offering_id = ANY($1::uuid[]) FOR SHARE",
        offering_ids,
    )
    found = (_offering(r) for r in rows)
    return {o.details.offering_id: o for o in found}


async def seats_taken(conn: Connection, offering_id: UUID) -> int:
    taken: int | None = await conn.fetchval(
        "SELECT taken FROM seats WHERE offering_id = $1", offering_id
    )
    return taken or 0


async def save_audit(conn: Connection, a: Audit) -> None:
    await conn.execute(
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


async def get_audit(conn: Connection, audit_id: UUID, *, lock: bool = False) -> Audit | None:
    sql = "SELECT * FROM audits WHERE audit_id = $1"
    row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), audit_id)
    return _audit(row) if row else None


async def list_audits(conn: Connection, school_id: UUID | None) -> list[Audit]:
    rows = await conn.fetch(
        "SELECT * FROM audits WHERE $1::uuid IS NULL OR school_id = $1"
        " ORDER BY audit_date, audit_id",
        school_id,
    )
    return [_audit(r) for r in rows]


async def add_programme(conn: Connection, p: Programme) -> None:
    await conn.execute(
        "INSERT INTO programmes (programme_id, academy_id, title, offering_ids)"
        " VALUES ($1, $2, $3, $4)",
        p.programme_id,
        p.academy_id,
        p.title,
        list(p.offering_ids),
    )


def _programme(row: asyncpg.Record) -> Programme:
    return Programme(
        row["programme_id"], row["academy_id"], row["title"], tuple(row["offering_ids"])
    )


async def get_programme(conn: Connection, programme_id: UUID) -> Programme | None:
    row = await conn.fetchrow("SELECT * FROM programmes WHERE programme_id = $1", programme_id)
    return _programme(row) if row else None


async def list_programmes(conn: Connection, academy_id: UUID | None) -> list[Programme]:
    rows = await conn.fetch(
        "SELECT * FROM programmes WHERE $1::uuid IS NULL OR academy_id = $1"
        " ORDER BY created_at, programme_id",
        academy_id,
    )
    return [_programme(r) for r in rows]
