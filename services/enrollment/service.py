"""Enrollment's commands. Every decision about an offering's seats takes that offering's
row lock, so capacity holds under concurrency."""

from collections.abc import Sequence
from uuid import UUID, uuid4

import asyncpg

from contracts import Event
from contracts.enrollment import EnrolledVia
from services.enrollment import domain, lookup, store
from services.enrollment.domain import Enrollment, Offering, Status
from services.enrollment.eligibility import Clash, StaffMember, check_eligible, overlaps
from services.enrollment.records import emit
from services.shared.clock import now
from services.shared.db import Connection
from services.shared.errors import CommandRejected, Conflict


class Enrollments:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source

    async def enrol(
        self,
        staff: StaffMember,
        offering_id: UUID,
        key: str | None = None,
        *,
        confirm_overlap: bool = False,
    ) -> tuple[Enrollment, bool, list[str]]:
        """The enrollment, whether this call made it (False: a repeated key), and warnings."""
        async with self._pool.acquire() as conn:
            try:
                async with conn.transaction():
                    offering = await lookup.offering(conn, offering_id)
                    # Under the offering's lock, so a retry that overtakes the first
                    # request's commit still finds it.
                    if key and (seen := await _repeated(conn, staff.staff_id, offering_id, key)):
                        return seen, False, []
                    warnings = await admissible(conn, offering, staff, confirm_overlap)
                    seated = await store.count_seated(conn, offering_id)
                    new = Enrollment(uuid4(), offering_id, staff.staff_id, Status.REQUESTED)
                    enrollment, event = domain.join(offering, new, seated, now())
                    await store.add(conn, enrollment, staff, key)
                    await emit(conn, self._source, [event])
                    return enrollment, True, warnings
            except asyncpg.UniqueViolationError:
                # The same key, concurrently, for another offering of the same person.
                if key and (seen := await _repeated(conn, staff.staff_id, offering_id, key)):
                    return seen, False, []
                raise

    async def enrol_team(
        self, offering_id: UUID, members: Sequence[StaffMember], *, confirm_overlap: bool = False
    ) -> tuple[list[Enrollment], list[str]]:
        """A school leader enrols a team: everyone gets a seat, or nobody is enrolled.
        The leader's request is the approval."""
        if len({m.staff_id for m in members}) != len(members):
            raise CommandRejected("members: a staff member appears more than once")
        async with self._pool.acquire() as conn, conn.transaction():
            offering = await lookup.offering(conn, offering_id)
            if offering.withdrawn:
                raise Conflict("the offering was withdrawn")
            if not offering.sessions:
                raise Conflict("the offering has no dates yet: staff can join its interest list")
            warnings = []
            for member in members:
                warnings += await admissible(conn, offering, member, confirm_overlap)
            seated = await store.count_seated(conn, offering_id)
            free = offering.free_seats(seated)
            if free is not None and free < len(members):
                raise Conflict(
                    f"{free} seat(s) free and the team has {len(members)} members:"
                    " nobody was enrolled"
                )
            made, events = [], []
            for member in members:
                new = Enrollment(uuid4(), offering_id, member.staff_id, Status.REQUESTED)
                enrollment, event = domain.seat(offering, new, seated, now(), EnrolledVia.TEAM)
                seated += 1
                await store.add(conn, enrollment, member, None)
                made.append(enrollment)
                events.append(event)
            await emit(conn, self._source, events)
            return made, warnings

    async def approve(self, enrollment_id: UUID, approver_id: UUID) -> Enrollment:
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await lookup.locked(conn, enrollment_id)
            seated = await store.count_seated(conn, offering.offering_id)
            approved, event = domain.approve(offering, enrollment, seated, now(), approver_id)
            await store.update(conn, [approved])
            await emit(conn, self._source, [event])
            return approved

    async def decline(self, enrollment_id: UUID, approver_id: UUID, reason: str) -> Enrollment:
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await lookup.locked(conn, enrollment_id)
            declined, event = domain.decline(offering, enrollment, approver_id, reason, now())
            await store.update(conn, [declined])
            await emit(conn, self._source, [event])
            return declined

    async def cancel(self, enrollment_id: UUID, reason: str) -> Enrollment:
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await lookup.locked(conn, enrollment_id)
            cancelled, event = domain.cancel(offering, enrollment, reason, now())
            await store.update(conn, [cancelled])
            await promote(conn, self._source, offering, [event])
            return cancelled


async def admissible(
    conn: Connection, offering: Offering, staff: StaffMember, confirm_overlap: bool
) -> list[str]:
    """Raises when the person may not enrol; returns the overlaps they confirmed."""
    check_eligible(offering.details, staff, now())
    if existing := await store.live(conn, offering.offering_id, staff.staff_id):
        raise Conflict(
            f"staff member {staff.staff_id} already has an enrollment in offering"
            f" {offering.offering_id} ({existing.status.value}): {existing.enrollment_id}"
        )
    booked = await store.booked_sessions(conn, staff.staff_id, offering.offering_id)
    clashes = overlaps(offering.sessions, booked)
    if clashes and not confirm_overlap:
        raise Clash(clashes)
    return [f"overlaps {c}" for c in clashes]


async def promote(
    conn: Connection, source: str, offering: Offering, events: Sequence[Event]
) -> None:
    """Emit `events`, plus an Enrolled for everyone a free seat now goes to."""
    seated = await store.count_seated(conn, offering.offering_id)
    waiting = await store.with_status(conn, offering.offering_id, Status.WAITLISTED)
    promoted = domain.promote(offering, seated, waiting, now())
    await store.update(conn, [e for e, _ in promoted])
    await emit(conn, source, [*events, *(ev for _, ev in promoted)])


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
