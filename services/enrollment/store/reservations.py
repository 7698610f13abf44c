"""Seats reserved for a team, to fill with names or give back."""

from dataclasses import astuple
from uuid import UUID

from services.enrollment.domain.reservations import Reservation
from services.shared.db import Connection
from services.shared.errors import NotFound

_COLUMNS = "reservation_id, offering_id, leader_id, board_id, seats, filled, released"


class ReservationTables:
    """Reservations."""

    _conn: Connection

    async def add_reservation(self, r: Reservation, key: str | None = None) -> None:
        await self._conn.execute(
            "INSERT INTO reservations (reservation_id, offering_id, leader_id, board_id, seats,"
            " filled, released, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            *astuple(r),
            key,
        )

    async def reservation_by_key(self, leader_id: UUID, key: str) -> Reservation | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM reservations WHERE leader_id = $1 AND idempotency_key = $2",
            leader_id,
            key,
        )
        return Reservation(**dict(row)) if row else None

    async def reservation(self, reservation_id: UUID, *, lock: bool = False) -> Reservation:
        """The reservation, row-locked when asked, or NotFound."""
        sql = f"SELECT {_COLUMNS} FROM reservations WHERE reservation_id = $1"
        row = await self._conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), reservation_id)
        if row is None:
            raise NotFound(f"no reservation {reservation_id}")
        return Reservation(**dict(row))

    async def fill_reservation(self, reservation_id: UUID, seats: int) -> None:
        await self._conn.execute(
            "UPDATE reservations SET filled = filled + $2 WHERE reservation_id = $1",
            reservation_id,
            seats,
        )

    async def release_reservation(self, reservation_id: UUID) -> None:
        await self._conn.execute(
            "UPDATE reservations SET released = true WHERE reservation_id = $1", reservation_id
        )

    async def release_open_reservations(self, offering_id: UUID) -> list[Reservation]:
        """Releases every open reservation of the offering; returns them as they were."""
        rows = await self._conn.fetch(
            "UPDATE reservations SET released = true WHERE offering_id = $1 AND NOT released"
            " RETURNING reservation_id, offering_id, leader_id, board_id, seats, filled,"
            " false AS released",
            offering_id,
        )
        return [Reservation(**dict(r)) for r in rows]
