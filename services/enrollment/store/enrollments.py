"""Enrollment's PostgreSQL adapter."""

from collections.abc import Sequence
from datetime import date
from typing import Literal
from uuid import UUID

import asyncpg

from contracts.values import EnrollmentStatus, OfferingDetails, Session
from services.enrollment.domain.calendar import Booking
from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.domain.enrollments import HOLDS_A_SEAT, Credit, Enrollment, Offering
from services.shared.db import Connection

_COLUMNS = "enrollment_id, offering_id, staff_id, status, completed_on, hours"
_SEATED = [s.value for s in HOLDS_A_SEAT]


RowLock = Literal["", "FOR UPDATE", "FOR SHARE"]


_UPDATE = (
    "UPDATE enrollments SET status = $2, completed_on = $3, hours = $4,"
    " revision = revision + 1, updated_at = now(),"
    " queue_position = CASE WHEN $2 = 'waitlisted' AND status <> 'waitlisted'"
    "   THEN nextval('waiting_list_order') ELSE queue_position END"
    " WHERE enrollment_id = $1"
)


def _credit(e: Enrollment) -> tuple[date | None, float | None]:
    return (e.credit.on, e.credit.hours) if e.credit else (None, None)


def _enrollment(row: asyncpg.Record) -> Enrollment:
    on, hours = row["completed_on"], row["hours"]
    return Enrollment(
        row["enrollment_id"], row["offering_id"], row["staff_id"], EnrollmentStatus(row["status"]),
        Credit(on, float(hours)) if on is not None and hours is not None else None,
    )  # fmt: skip


_ADD = (
    "INSERT INTO enrollments (enrollment_id, offering_id, staff_id, board_id, role, status,"
    " idempotency_key, queue_position)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7,"
    " CASE WHEN $6 = 'waitlisted' THEN nextval('waiting_list_order') END)"
)


class EnrollmentTables:
    """Enrollments and enrollment's copy of the offerings."""

    _conn: Connection

    async def save_offering(self, o: Offering) -> None:
        await self._conn.execute(
            "INSERT INTO offerings (offering_id, details, withdrawn) VALUES ($1, $2, $3)"
            " ON CONFLICT (offering_id) DO UPDATE SET details = EXCLUDED.details,"
            " withdrawn = EXCLUDED.withdrawn, updated_at = now()",
            o.offering_id,
            o.details.model_dump_json(),
            o.withdrawn,
        )

    async def get_offering(self, offering_id: UUID, *, lock: RowLock = "") -> Offering | None:
        """FOR UPDATE serialises every seat decision on one offering; FOR SHARE holds the
        offering still (no seat decision, no change) while others share it too."""
        row = await self._conn.fetchrow(
            f"SELECT details, withdrawn FROM offerings WHERE offering_id = $1 {lock}", offering_id
        )
        if row is None:
            return None
        return Offering(OfferingDetails.model_validate_json(row["details"]), row["withdrawn"])

    async def count_seated(self, offering_id: UUID) -> int:
        """Seats taken: held by a person, or reserved for a team and not yet filled."""
        n: int = await self._conn.fetchval(
            "SELECT (SELECT count(*) FROM enrollments"
            "        WHERE offering_id = $1 AND status = ANY($2::text[]))"
            "     + (SELECT coalesce(sum(seats - filled), 0) FROM reservations"
            "        WHERE offering_id = $1 AND NOT released)",
            offering_id,
            _SEATED,
        )
        return n

    async def add_many(self, added: Sequence[tuple[Enrollment, StaffMember, str | None]]) -> None:
        """In order: whoever joins the waiting list takes the next place in the queue."""
        await self._conn.executemany(
            _ADD,
            [
                (e.enrollment_id, e.offering_id, e.staff_id, staff.board_id, staff.role.value,
                 e.status.value, key)
                for e, staff, key in added
            ],
        )  # fmt: skip

    async def update(self, items: Sequence[Enrollment]) -> None:
        """New states; one that joins the waiting list takes the next place in the queue."""
        rows = [(e.enrollment_id, e.status.value, *_credit(e)) for e in items]
        await self._conn.executemany(_UPDATE, rows)

    async def get(self, enrollment_id: UUID, *, lock: bool = False) -> Enrollment | None:
        sql = f"SELECT {_COLUMNS} FROM enrollments WHERE enrollment_id = $1"
        row = await self._conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), enrollment_id)
        return _enrollment(row) if row else None

    async def by_idempotency_key(self, staff_id: UUID, key: str) -> Enrollment | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM enrollments WHERE staff_id = $1 AND idempotency_key = $2",
            staff_id,
            key,
        )
        return _enrollment(row) if row else None

    async def live(self, offering_id: UUID, staff_id: UUID) -> Enrollment | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM enrollments WHERE offering_id = $1 AND staff_id = $2"
            " AND status NOT IN ('cancelled', 'declined')",
            offering_id,
            staff_id,
        )
        return _enrollment(row) if row else None

    async def by_idempotency_keys(
        self, keys: Sequence[tuple[UUID, str]]
    ) -> dict[tuple[UUID, str], Enrollment]:
        """by_idempotency_key for many (staff id, key) pairs at once."""
        if not keys:
            return {}
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS}, idempotency_key FROM enrollments"
            " WHERE (staff_id, idempotency_key) IN"
            " (SELECT * FROM unnest($1::uuid[], $2::text[]))",
            [staff_id for staff_id, _ in keys],
            [key for _, key in keys],
        )
        return {(r["staff_id"], r["idempotency_key"]): _enrollment(r) for r in rows}

    async def live_many(
        self, offering_id: UUID, staff_ids: Sequence[UUID]
    ) -> dict[UUID, Enrollment]:
        """live for many people at once."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM enrollments WHERE offering_id = $1"
            " AND staff_id = ANY($2::uuid[]) AND status NOT IN ('cancelled', 'declined')",
            offering_id,
            list(staff_ids),
        )
        return {r["staff_id"]: _enrollment(r) for r in rows}

    async def with_status(self, offering_id: UUID, *statuses: EnrollmentStatus) -> list[Enrollment]:
        """In queue order for the waiting list, in order of arrival otherwise."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM enrollments"
            " WHERE offering_id = $1 AND status = ANY($2::text[])"
            " ORDER BY queue_position NULLS LAST, seq",
            offering_id,
            [s.value for s in statuses],
        )
        return [_enrollment(r) for r in rows]

    async def listing(
        self, *, offering_id: UUID | None = None, staff_id: UUID | None = None
    ) -> list[Enrollment]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM enrollments WHERE ($1::uuid IS NULL OR offering_id = $1)"
            " AND ($2::uuid IS NULL OR staff_id = $2) ORDER BY seq",
            offering_id,
            staff_id,
        )
        return [_enrollment(r) for r in rows]

    async def booked_sessions(self, staff_id: UUID, besides: UUID) -> list[tuple[str, Session]]:
        """The sessions of the person's live enrollments in other offerings, with titles."""
        return (await self.booked_sessions_many([staff_id], besides)).get(staff_id, [])

    async def booked_sessions_many(
        self, staff_ids: Sequence[UUID], besides: UUID
    ) -> dict[UUID, list[tuple[str, Session]]]:
        """booked_sessions for many people at once."""
        rows = await self._conn.fetch(
            "SELECT e.staff_id, o.details FROM enrollments e JOIN offerings o USING (offering_id)"
            " WHERE e.staff_id = ANY($1::uuid[]) AND e.offering_id <> $2 AND NOT o.withdrawn"
            " AND e.status IN ('requested', 'enrolled', 'waitlisted')",
            list(staff_ids),
            besides,
        )
        booked: dict[UUID, list[tuple[str, Session]]] = {}
        for row in rows:
            details = OfferingDetails.model_validate_json(row["details"])
            booked.setdefault(row["staff_id"], []).extend(
                (details.title, s) for s in details.sessions
            )
        return booked

    async def bookings(
        self, *, staff_id: UUID | None = None, enrollment_id: UUID | None = None
    ) -> list[Booking]:
        rows = await self._conn.fetch(
            "SELECT e.enrollment_id, e.status, e.revision, o.details, o.withdrawn"
            " FROM enrollments e JOIN offerings o USING (offering_id)"
            " WHERE ($1::uuid IS NULL OR e.staff_id = $1)"
            " AND ($2::uuid IS NULL OR e.enrollment_id = $2)"
            # A cancellation shows only where the person once held a seat.
            " AND (e.status <> 'cancelled' OR EXISTS (SELECT 1 FROM enrollment_history h"
            "   WHERE h.enrollment_id = e.enrollment_id AND h.type LIKE '%.enrolled.v1'))"
            " ORDER BY e.seq",
            staff_id,
            enrollment_id,
        )
        return [
            Booking(
                r["enrollment_id"],
                EnrollmentStatus(r["status"]),
                r["revision"],
                OfferingDetails.model_validate_json(r["details"]),
                r["withdrawn"],
            )
            for r in rows
        ]
