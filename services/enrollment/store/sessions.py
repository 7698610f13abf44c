"""Sessions people hold a seat in (for clashes and calendars), and their attendance."""

from collections.abc import Sequence
from uuid import UUID

from contracts.values import EnrollmentStatus, OfferingDetails, Session
from services.enrollment.domain.calendar import Booking
from services.shared.db import Connection


class SessionTables:
    """Booked sessions and attendance."""

    _conn: Connection

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

    async def rotate_calendar_feed(self, staff_id: UUID, secret_sha256: bytes) -> None:
        await self._conn.execute(
            "INSERT INTO calendar_feeds (staff_id, secret_sha256) VALUES ($1, $2)"
            " ON CONFLICT (staff_id) DO UPDATE SET secret_sha256 = $2, rotated_at = now()",
            staff_id,
            secret_sha256,
        )

    async def calendar_feed_owner(self, secret_sha256: bytes) -> UUID | None:
        owner: UUID | None = await self._conn.fetchval(
            "SELECT staff_id FROM calendar_feeds WHERE secret_sha256 = $1", secret_sha256
        )
        return owner

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
