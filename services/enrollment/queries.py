"""Enrollment's read use cases: enrollments, seats and the waiting list, history, and
calendar feeds, each read on a connection of its own."""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from contracts.values import EnrollmentStatus
from services.enrollment.domain import calendar
from services.enrollment.domain.enrollments import Enrollment, Offering
from services.enrollment.domain.reservations import Reservation
from services.enrollment.store import Store
from services.shared.errors import NotFound
from services.shared.unit_of_work import Database


@dataclass(frozen=True)
class Seats:
    offering: Offering
    seated: int
    enrollments: list[Enrollment]
    waiting: list[Enrollment]
    """The waiting list, first in line first."""


class EnrollmentQueries:
    def __init__(self, database: Database[Store]) -> None:
        self._database = database

    async def enrollment(self, enrollment_id: UUID) -> Enrollment:
        async with self._database.reading() as store:
            return await store.enrollment(enrollment_id)

    async def academy_of(self, offering_id: UUID) -> UUID:
        """The academy that offers it: whose administrators reach its enrollments."""
        async with self._database.reading() as store:
            offering = await store.offering(offering_id, lock="")
        return offering.details.academy_id

    async def reservation(self, reservation_id: UUID) -> Reservation:
        async with self._database.reading() as store:
            return await store.reservation(reservation_id)

    async def seats(self, offering_id: UUID) -> Seats:
        async with self._database.reading() as store:
            offering = await store.offering(offering_id, lock="")
            seated = await store.count_seated(offering_id)
            listing = await store.listing(offering_id=offering_id)
            waiting = await store.with_status(offering_id, EnrollmentStatus.WAITLISTED)
            return Seats(offering, seated, listing, waiting)

    async def of_staff(self, staff_id: UUID) -> list[Enrollment]:
        async with self._database.reading() as store:
            return await store.listing(staff_id=staff_id)

    async def of_staff_members(
        self, staff_ids: list[UUID], status: EnrollmentStatus | None = None
    ) -> list[Enrollment]:
        if not staff_ids:
            return []
        async with self._database.reading() as store:
            return await store.of_staff_members(staff_ids, status)

    async def personal_records(
        self, staff_id: UUID
    ) -> tuple[list[tuple[Enrollment, list[dict[str, Any]]]], dict[str, list[dict[str, Any]]]]:
        """The person's enrollments, each with its history, and the rest enrollment keeps
        about them (their data export)."""
        async with self._database.reading() as store:
            enrollments = await store.listing(staff_id=staff_id)
            histories = [(e, await store.history_of(e.enrollment_id)) for e in enrollments]
            return histories, await store.personal_rows(staff_id)

    async def history(self, enrollment_id: UUID) -> list[dict[str, Any]]:
        async with self._database.reading() as store:
            await store.enrollment(enrollment_id)
            return await store.history_of(enrollment_id)

    async def calendar(
        self, *, staff_id: UUID | None = None, enrollment_id: UUID | None = None
    ) -> bytes:
        async with self._database.reading() as store:
            if enrollment_id is not None:
                await store.enrollment(enrollment_id)
            found = await store.bookings(staff_id=staff_id, enrollment_id=enrollment_id)
        return calendar.render(found, name="huisacademie")

    async def rotate_calendar_feed(self, staff_id: UUID) -> str:
        """A new secret for the person's calendar feed; the old one stops working."""
        secret = secrets.token_urlsafe(32)
        async with self._database.reading() as store:
            await store.rotate_calendar_feed(staff_id, _digest(secret))
        return secret

    async def calendar_feed(self, secret: str) -> bytes:
        async with self._database.reading() as store:
            owner = await store.calendar_feed_owner(_digest(secret))
        if owner is None:
            raise NotFound("no such calendar feed (its address may have been renewed)")
        return await self.calendar(staff_id=owner)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
