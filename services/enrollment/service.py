"""Enrollment's use cases and its projection of the catalogue. Every decision about an
offering's seats takes that offering's row lock, so capacity holds under concurrency."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import asyncpg

from contracts import Event
from contracts.catalogue import CourseOffered, CourseUpdated, CourseWithdrawn
from services.enrollment import domain, store
from services.enrollment.domain import Enrollment, Offering
from services.shared import outbox
from services.shared.db import Connection
from services.shared.errors import CommandRejected, Conflict, NotFound

WITHDRAWN_REASON = "offering withdrawn"


def _now() -> datetime:
    return datetime.now(UTC)


class Enrollments:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source

    async def enrol(
        self, staff_id: UUID, offering_id: UUID, idempotency_key: str | None = None
    ) -> tuple[Enrollment, bool]:
        """Returns the enrollment and whether this call created it (False: a repeated key)."""
        async with self._pool.acquire() as conn:
            try:
                async with conn.transaction():
                    offering = await _offering(conn, offering_id)
                    # Looked up under the offering's lock, so a retry that overtakes the
                    # first request's commit still finds it.
                    if idempotency_key and (
                        seen := await _repeated(conn, staff_id, offering_id, idempotency_key)
                    ):
                        return seen, False
                    if existing := await store.live(conn, offering_id, staff_id):
                        raise Conflict(
                            f"staff member {staff_id} already has an enrollment in offering"
                            f" {offering_id} ({existing.status.value}): {existing.enrollment_id}"
                        )
                    enrolled = await store.count_enrolled(conn, offering_id)
                    enrollment, event = domain.enrol(offering, uuid4(), staff_id, enrolled, _now())
                    await store.add(conn, enrollment, idempotency_key)
                    await outbox.put(conn, self._source, [event])
                    return enrollment, True
            except asyncpg.UniqueViolationError:
                # The same key, concurrently, for another offering of the same person.
                if idempotency_key and (
                    seen := await _repeated(conn, staff_id, offering_id, idempotency_key)
                ):
                    return seen, False
                raise

    async def cancel(self, enrollment_id: UUID, reason: str) -> Enrollment:
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await _locked(conn, enrollment_id)
            cancelled, event = domain.cancel(offering, enrollment, reason, _now())
            await store.update(conn, [cancelled])
            await self._promote(conn, offering, [event])
            return cancelled

    async def complete(
        self, enrollment_id: UUID, on: date | None, hours: float | None
    ) -> Enrollment:
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await _locked(conn, enrollment_id)
            done, event = domain.complete(offering, enrollment, on or date.today(), hours)
            await store.update(conn, [done])
            await outbox.put(conn, self._source, [event])
            return done

    async def get(self, enrollment_id: UUID) -> Enrollment:
        async with self._pool.acquire() as conn:
            return await _enrollment(conn, enrollment_id)

    async def offering(self, offering_id: UUID) -> tuple[Offering, int, list[Enrollment]]:
        async with self._pool.acquire() as conn:
            offering = await _offering(conn, offering_id, lock=False)
            return (
                offering,
                await store.count_enrolled(conn, offering_id),
                await store.listing(conn, offering_id=offering_id),
            )

    async def of_staff(self, staff_id: UUID) -> list[Enrollment]:
        async with self._pool.acquire() as conn:
            return await store.listing(conn, staff_id=staff_id)

    # The catalogue's events, applied inside the consumer's transaction.

    async def on_course_offered(self, conn: Connection, event: CourseOffered) -> None:
        if await store.get_offering(conn, event.offering.offering_id) is None:
            await store.save_offering(conn, domain.offering_from(event.offering))

    async def on_course_updated(self, conn: Connection, event: CourseUpdated) -> None:
        offering = domain.offering_from(event.offering)
        current = await store.get_offering(conn, offering.offering_id, lock=True)
        if current is not None and current.withdrawn:
            return
        await store.save_offering(conn, offering)
        await self._promote(conn, offering, [])

    async def on_course_withdrawn(self, conn: Connection, event: CourseWithdrawn) -> None:
        current = await store.get_offering(conn, event.offering_id, lock=True)
        if current is None or current.withdrawn:
            return
        offering = Offering(current.snapshot, current.capacity, withdrawn=True)
        await store.save_offering(conn, offering)
        cancelled = [
            domain.cancel(offering, e, WITHDRAWN_REASON, _now())
            for e in await store.active(conn, offering.offering_id)
        ]
        await store.update(conn, [e for e, _ in cancelled])
        await outbox.put(conn, self._source, [ev for _, ev in cancelled])

    async def _promote(self, conn: Connection, offering: Offering, events: Sequence[Event]) -> None:
        enrolled = await store.count_enrolled(conn, offering.offering_id)
        promoted = domain.promote(
            offering, enrolled, await store.waiting(conn, offering.offering_id), _now()
        )
        await store.update(conn, [e for e, _ in promoted])
        await outbox.put(conn, self._source, [*events, *(ev for _, ev in promoted)])


async def _offering(conn: Connection, offering_id: UUID, *, lock: bool = True) -> Offering:
    offering = await store.get_offering(conn, offering_id, lock=lock)
    if offering is None:
        raise NotFound(f"no offering {offering_id} (a newly published offering may take a moment)")
    return offering


async def _repeated(
    conn: Connection, staff_id: UUID, offering_id: UUID, key: str
) -> Enrollment | None:
    """The enrollment an earlier request with this key made, if the request was the same."""
    seen = await store.by_idempotency_key(conn, staff_id, key)
    if seen is not None and seen.offering_id != offering_id:
        raise CommandRejected(
            f"Idempotency-Key {key!r} was used for another request (offering {seen.offering_id})"
        )
    return seen


async def _enrollment(conn: Connection, enrollment_id: UUID) -> Enrollment:
    enrollment = await store.get(conn, enrollment_id)
    if enrollment is None:
        raise NotFound(f"no enrollment {enrollment_id}")
    return enrollment


async def _locked(conn: Connection, enrollment_id: UUID) -> tuple[Enrollment, Offering]:
    """The enrollment as it stands once its offering is locked."""
    first = await _enrollment(conn, enrollment_id)
    offering = await _offering(conn, first.offering_id)
    return await _enrollment(conn, enrollment_id), offering
