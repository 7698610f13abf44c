"""Retention by purpose: each board's retention period after a person leaves, who left and
when, and erasures asked for and not yet finished."""

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from contracts.portfolio import StaffLeft
from services.shared.db import Connection


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

    async def record_departures(self, events: Iterable[StaffLeft]) -> None:
        """The last word on when someone left is the latest StaffLeft about them."""
        await self._conn.executemany(
            "INSERT INTO departures (staff_id, board_id, left_on) VALUES ($1, $2, $3)"
            " ON CONFLICT (staff_id) DO UPDATE SET board_id = $2, left_on = $3",
            [(e.staff_id, e.board_id, e.left_on) for e in events],
        )

    async def departure_of(self, staff_id: UUID) -> tuple[UUID, date] | None:
        row = await self._conn.fetchrow(
            "SELECT board_id, left_on FROM departures WHERE staff_id = $1", staff_id
        )
        return None if row is None else (row["board_id"], row["left_on"])

    async def due_for_erasure(
        self, today: date, default_days: int, limit: int = 100
    ) -> list[tuple[UUID, date, int]]:
        """People whose board's retention period after leaving ended by today: (staff id,
        the day they left, the period in days)."""
        rows = await self._conn.fetch(
            "SELECT d.staff_id, d.left_on, coalesce(r.after_leaving_days, $2) AS days"
            " FROM departures d LEFT JOIN board_retention r USING (board_id)"
            " WHERE d.left_on + coalesce(r.after_leaving_days, $2) <= $1"
            " ORDER BY d.left_on LIMIT $3",
            today,
            default_days,
            limit,
        )
        return [(r["staff_id"], r["left_on"], r["days"]) for r in rows]

    async def ask_erasure(self, staff_id: UUID, requested_by: UUID | None, reason: str) -> None:
        await self._conn.execute(
            "INSERT INTO pending_erasures (staff_id, requested_by, reason) VALUES ($1, $2, $3)"
            " ON CONFLICT (staff_id) DO NOTHING",
            staff_id,
            requested_by,
            reason,
        )

    async def pending_erasures(self, limit: int = 100) -> list[tuple[UUID, UUID | None, str]]:
        rows = await self._conn.fetch(
            "SELECT staff_id, requested_by, reason FROM pending_erasures"
            " ORDER BY requested_at LIMIT $1",
            limit,
        )
        return [(r["staff_id"], r["requested_by"], r["reason"]) for r in rows]

    async def erasure_finished(self, staff_id: UUID) -> None:
        await self._conn.execute("DELETE FROM pending_erasures WHERE staff_id = $1", staff_id)
