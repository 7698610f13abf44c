"""Enrollment's PostgreSQL adapter."""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from contracts.values import OfferingSnapshot
from services.enrollment.domain import Enrollment, Offering, Status
from services.shared.db import Connection

_COLUMNS = "enrollment_id, offering_id, staff_id, status, completed_on, hours"


async def save_offering(conn: Connection, o: Offering) -> None:
    await conn.execute(
        "INSERT INTO offerings (offering_id, snapshot, capacity, withdrawn) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (offering_id) DO UPDATE SET snapshot = EXCLUDED.snapshot,"
        " capacity = EXCLUDED.capacity, withdrawn = EXCLUDED.withdrawn, updated_at = now()",
        o.offering_id,
        o.snapshot.model_dump_json(),
        o.capacity,
        o.withdrawn,
    )


async def get_offering(
    conn: Connection, offering_id: UUID, *, lock: bool = False
) -> Offering | None:
    """With lock, the row lock serialises every seat decision on one offering."""
    sql = "SELECT snapshot, capacity, withdrawn FROM offerings WHERE offering_id = $1"
    row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), offering_id)
    if row is None:
        return None
    return Offering(
        OfferingSnapshot.model_validate_json(row["snapshot"]), row["capacity"], row["withdrawn"]
    )


async def count_enrolled(conn: Connection, offering_id: UUID) -> int:
    n: int = await conn.fetchval(
        "SELECT count(*) FROM enrollments"
        " WHERE offering_id = $1 AND status IN ('enrolled', 'completed')",
        offering_id,
    )
    return n


def _enrollment(row: asyncpg.Record) -> Enrollment:
    hours = row["hours"]
    return Enrollment(
        row["enrollment_id"],
        row["offering_id"],
        row["staff_id"],
        Status(row["status"]),
        row["completed_on"],
        float(hours) if hours is not None else None,
    )


async def add(conn: Connection, e: Enrollment, idempotency_key: str | None) -> None:
    await conn.execute(
        "INSERT INTO enrollments (enrollment_id, offering_id, staff_id, status, idempotency_key)"
        " VALUES ($1, $2, $3, $4, $5)",
        e.enrollment_id,
        e.offering_id,
        e.staff_id,
        e.status.value,
        idempotency_key,
    )


async def update(conn: Connection, items: Sequence[Enrollment]) -> None:
    await conn.executemany(
        "UPDATE enrollments SET status = $2, completed_on = $3, hours = $4, updated_at = now()"
        " WHERE enrollment_id = $1",
        [(e.enrollment_id, e.status.value, e.completed_on, e.hours) for e in items],
    )


async def get(conn: Connection, enrollment_id: UUID) -> Enrollment | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM enrollments WHERE enrollment_id = $1", enrollment_id
    )
    return _enrollment(row) if row else None


async def by_idempotency_key(conn: Connection, staff_id: UUID, key: str) -> Enrollment | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM enrollments WHERE staff_id = $1 AND idempotency_key = $2",
        staff_id,
        key,
    )
    return _enrollment(row) if row else None


async def live(conn: Connection, offering_id: UUID, staff_id: UUID) -> Enrollment | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM enrollments"
        " WHERE offering_id = $1 AND staff_id = $2 AND status <> 'cancelled'",
        offering_id,
        staff_id,
    )
    return _enrollment(row) if row else None


async def waiting(conn: Connection, offering_id: UUID) -> list[Enrollment]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM enrollments WHERE offering_id = $1 AND status = 'waitlisted'"
        " ORDER BY seq",
        offering_id,
    )
    return [_enrollment(r) for r in rows]


async def active(conn: Connection, offering_id: UUID) -> list[Enrollment]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM enrollments WHERE offering_id = $1"
        " AND status IN ('enrolled', 'waitlisted') ORDER BY seq",
        offering_id,
    )
    return [_enrollment(r) for r in rows]


async def listing(
    conn: Connection, *, offering_id: UUID | None = None, staff_id: UUID | None = None
) -> list[Enrollment]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM enrollments WHERE ($1::uuid IS NULL OR offering_id = $1)"
        " AND ($2::uuid IS NULL OR staff_id = $2) ORDER BY seq",
        offering_id,
        staff_id,
    )
    return [_enrollment(r) for r in rows]
