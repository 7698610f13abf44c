"""Retention by purpose: each board's retention period after a person leaves, who left and
when, and erasures asked for and not yet finished."""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from contracts.portfolio import StaffLeft
from services.shared.db import Connection


@dataclass(frozen=True)
class Due:
    """Someone whose board's retention period after they left has ended."""

    staff_id: UUID
    board_id: UUID
    left_on: date
    days: int


class RetentionTables:
    _conn: Connection

    async def set_retention(self, board_id: UUID, after_leaving_days: int) -> None:
        await self._conn.execute(
            "INSERT INTO board_retention (board_id, after_leaving_days) VALUES ($1, $2)"
            " ON CONFLICT (board_id) DO UPDATE"
            " SET after_leaving_days = EXCLUDED.after_leaving_days",
            board_id,
            after_leaving_days,
        )

    async def retention_of(self, board_id: UUID) -> int | None:
        days: int | None = await self._conn.fetchval(
            "SELECT after_leaving_days FROM board_retention WHERE board_id = $1", board_id
        )
        return days

    async def record_departure(self, event: StaffLeft) -> None:
        """The last word on when someone left is the latest StaffLeft about them."""
        await self._conn.execute(
            "INSERT INTO departures (staff_id, board_id, left_on) VALUES ($1, $2, $3)"
            " ON CONFLICT (staff_id) DO UPDATE SET board_id = $2, left_on = $3",
            event.staff_id,
            event.board_id,
            event.left_on,
        )

    async def withdraw_departure(self, staff_id: UUID) -> None:
        await self._conn.execute("DELETE FROM departures WHERE staff_id = $1", staff_id)

    async def departure_of(self, staff_id: UUID) -> UUID | None:
        """The board the person left, if a departure is recorded."""
        board: UUID | None = await self._conn.fetchval(
            "SELECT board_id FROM departures WHERE staff_id = $1", staff_id
        )
        return board

    async def due_for_erasure(self, today: date, default_days: int, limit: int = 100) -> list[Due]:
        """People whose board's retention period after leaving ended by today, and whose
        erasure is not under way already."""
        rows = await self._conn.fetch(
            "SELECT d.staff_id, d.board_id, d.left_on, coalesce(r.after_leaving_days, $2) AS days"
            " FROM departures d LEFT JOIN board_retention r USING (board_id)"
            " WHERE d.left_on + coalesce(r.after_leaving_days, $2) <= $1"
            " AND NOT EXISTS (SELECT 1 FROM pending_erasures p WHERE p.staff_id = d.staff_id)"
            " ORDER BY d.left_on LIMIT $3",
            today,
            default_days,
            limit,
        )
        return [Due(r["staff_id"], r["board_id"], r["left_on"], r["days"]) for r in rows]

    async def ask_erasure(self, staff_id: UUID, requested_by: UUID | None, reason: str) -> None:
        await self._conn.execute(
            "INSERT INTO pending_erasures (staff_id, requested_by, reason) VALUES ($1, $2, $3)"
            " ON CONFLICT (staff_id) DO NOTHING",
            staff_id,
            requested_by,
            reason,
        )

    async def pending_erasures(
        self, older_than: timedelta, limit: int = 100
    ) -> list[tuple[UUID, UUID | None, str]]:
        """Erasures asked for longer ago than `older_than` and not finished."""
        rows = await self._conn.fetch(
            "SELECT staff_id, requested_by, reason FROM pending_erasures"
            " WHERE requested_at < now() - $1::interval ORDER BY requested_at LIMIT $2",
            older_than,
            limit,
        )
        return [(r["staff_id"], r["requested_by"], r["reason"]) for r in rows]

    async def erasure_finished(self, staff_id: UUID) -> None:
        await self._conn.execute("DELETE FROM pending_erasures WHERE staff_id = $1", staff_id)
