"""What enrollment answers about itself: enrollments, seats, history."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from services.enrollment import calendar, lookup, records, store
from services.enrollment.domain import Enrollment, Offering, Status


@dataclass(frozen=True)
class Seats:
    offering: Offering
    seated: int
    enrollments: list[Enrollment]
    waiting: list[Enrollment]
    """The waiting list, first in line first."""


class Queries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def enrollment(self, enrollment_id: UUID) -> Enrollment:
        async with self._pool.acquire() as conn:
            return await lookup.enrollment(conn, enrollment_id)

    async def seats(self, offering_id: UUID) -> Seats:
        async with self._pool.acquire() as conn:
            offering = await lookup.offering(conn, offering_id, lock="")
            seated = await store.count_seated(conn, offering_id)
            listing = await store.listing(conn, offering_id=offering_id)
            waiting = await store.with_status(conn, offering_id, Status.WAITLISTED)
            return Seats(offering, seated, listing, waiting)

    async def of_staff(self, staff_id: UUID) -> list[Enrollment]:
        async with self._pool.acquire() as conn:
            return await store.listing(conn, staff_id=staff_id)

    async def history(self, enrollment_id: UUID) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            await lookup.enrollment(conn, enrollment_id)
            return await records.history_of(conn, enrollment_id)

    async def calendar(
        self, *, staff_id: UUID | None = None, enrollment_id: UUID | None = None
    ) -> bytes:
        async with self._pool.acquire() as conn:
            if enrollment_id is not None:
                await lookup.enrollment(conn, enrollment_id)
            found = await store.bookings(conn, staff_id=staff_id, enrollment_id=enrollment_id)
        return calendar.render(found, name="huisacademie")
