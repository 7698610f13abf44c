"""Enrollment's tables for what accompanies an enrollment: attendance, its history,
programme completions and reservations."""

import json
from collections.abc import Sequence
from dataclasses import astuple
from datetime import date
from typing import Any
from uuid import UUID

from contracts import Envelope, Event
from services.enrollment.domain.reservations import Reservation
from services.shared.db import Connection


class RecordTables:
    """Attendance, history, programme completions and reservations."""

    _conn: Connection

    async def record_attendance(
        self, enrollment_id: UUID, session_id: UUID, attended: bool
    ) -> None:
        await self._conn.execute(
            "INSERT INTO attendance (enrollment_id, session_id, attended) VALUES ($1, $2, $3)"
            " ON CONFLICT (enrollment_id, session_id)"
            " DO UPDATE SET attended = EXCLUDED.attended, recorded_at = now()",
            enrollment_id,
            session_id,
            attended,
        )

    async def attendance_of(self, enrollment_id: UUID) -> dict[UUID, bool]:
        rows = await self._conn.fetch(
            "SELECT session_id, attended FROM attendance WHERE enrollment_id = $1", enrollment_id
        )
        return {r["session_id"]: r["attended"] for r in rows}

    async def add_history(self, envelopes: Sequence[Envelope[Event]]) -> None:
        """Every event about an enrollment, in the transaction that made it."""
        rows = [
            (enrollment_id, env.id, env.type, env.time, env.body().decode())
            for env in envelopes
            if (enrollment_id := getattr(env.data, "enrollment_id", None)) is not None
        ]
        if rows:
            await self._conn.executemany(
                "INSERT INTO enrollment_history (enrollment_id, event_id, type, at, data)"
                " VALUES ($1, $2, $3, $4, $5)",
                rows,
            )

    async def history_of(self, enrollment_id: UUID) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT event_id, type, at, data FROM enrollment_history WHERE enrollment_id = $1"
            " ORDER BY seq",
            enrollment_id,
        )
        return [{**dict(r), "data": json.loads(r["data"])} for r in rows]

    async def save_programme(
        self, programme_id: UUID, title: str, offering_ids: Sequence[UUID]
    ) -> None:
        await self._conn.execute(
            "INSERT INTO programmes (programme_id, title, offering_ids) VALUES ($1, $2, $3)"
            " ON CONFLICT (programme_id) DO UPDATE"
            " SET title = EXCLUDED.title, offering_ids = EXCLUDED.offering_ids",
            programme_id,
            title,
            list(offering_ids),
        )

    async def programmes_finished(
        self, staff_id: UUID, offering_id: UUID
    ) -> list[tuple[UUID, str, list[UUID]]]:
        """Programmes with this offering whose every offering the person has now completed,
        and which were not yet recorded as completed by them."""
        rows = await self._conn.fetch(
            "SELECT p.programme_id, p.title, p.offering_ids FROM programmes p"
            " WHERE $2 = ANY(p.offering_ids)"
            " AND NOT EXISTS (SELECT 1 FROM programme_completions c"
            "   WHERE c.staff_id = $1 AND c.programme_id = p.programme_id)"
            " AND NOT EXISTS (SELECT 1 FROM unnest(p.offering_ids) AS o(id) WHERE NOT EXISTS ("
            "   SELECT 1 FROM enrollments e WHERE e.staff_id = $1 AND e.offering_id = o.id"
            "   AND e.status = 'completed'))",
            staff_id,
            offering_id,
        )
        return [(r["programme_id"], r["title"], list(r["offering_ids"])) for r in rows]

    async def completed_all(self, offering_ids: Sequence[UUID]) -> list[tuple[UUID, date]]:
        """Staff who completed every one of the offerings, with the day of the last completion."""
        rows = await self._conn.fetch(
            "SELECT staff_id, max(completed_on) AS last FROM enrollments"
            " WHERE offering_id = ANY($1::uuid[]) AND status = 'completed'"
            " GROUP BY staff_id HAVING count(DISTINCT offering_id) = cardinality($1::uuid[])",
            list(offering_ids),
        )
        return [(r["staff_id"], r["last"]) for r in rows]

    async def lock_person(self, staff_id: UUID) -> None:
        """Serialises a person's completions, so two at once cannot both miss a programme."""
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtext($1::text))", str(staff_id))

    async def add_programme_completion(self, staff_id: UUID, programme_id: UUID, on: date) -> None:
        await self._conn.execute(
            "INSERT INTO programme_completions (staff_id, programme_id, completed_on)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            staff_id,
            programme_id,
            on,
        )

    async def add_reservation(self, r: Reservation) -> None:
        await self._conn.execute(
            "INSERT INTO reservations (reservation_id, offering_id, leader_id, board_id, seats,"
            " filled, released) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            *astuple(r),
        )

    async def get_reservation(
        self, reservation_id: UUID, *, lock: bool = False
    ) -> Reservation | None:
        sql = (
            "SELECT reservation_id, offering_id, leader_id, board_id, seats, filled, released"
            " FROM reservations WHERE reservation_id = $1"
        )
        row = await self._conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), reservation_id)
        return Reservation(**dict(row)) if row else None

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
