"""Enrollment's commands. Every decision about an offering's seats takes that offering's
row lock, so capacity holds under concurrency."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg

from contracts import Event
from contracts.enrollment import EnrolledVia
from contracts.values import Session
from services.enrollment import domain, lookup, store
from services.enrollment.desk import Desk
from services.enrollment.domain import Enrollment, Offering, Status
from services.enrollment.eligibility import Clash, StaffMember, check_eligible, overlaps
from services.enrollment.records import emit
from services.shared.clock import now
from services.shared.db import Connection
from services.shared.errors import CommandRejected, Conflict


@dataclass(frozen=True)
class Enrolment:
    """One request to enrol."""

    staff: StaffMember
    key: str | None
    confirm_overlap: bool


Made = tuple[Enrollment, bool, list[str]]


class Enrollments:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source
        self._desk: Desk[Enrolment, Made] = Desk(self._enrol_together, self._enrol_alone)

    async def enrol(
        self,
        staff: StaffMember,
        offering_id: UUID,
        key: str | None = None,
        *,
        confirm_overlap: bool = False,
    ) -> Made:
        """The enrollment, whether this call made it (False: a repeated key), and warnings.
        Requests on one offering that arrive together are decided together (desk.py)."""
        return await self._desk.submit(offering_id, Enrolment(staff, key, confirm_overlap))

    async def _enrol_together(
        self, offering_id: Hashable, requests: Sequence[Enrolment]
    ) -> list[Made | Exception]:
        """In arrival order under the offering's lock: what the people already have is read
        for all of them at once, the new enrollments and their events written at once."""
        assert isinstance(offering_id, UUID)
        staff_ids = [r.staff.staff_id for r in requests]
        async with self._pool.acquire() as conn, conn.transaction():
            offering = await lookup.offering(conn, offering_id)
            keyed = await store.by_idempotency_keys(
                conn, [(r.staff.staff_id, r.key) for r in requests if r.key]
            )
            live = await store.live_many(conn, offering_id, staff_ids)
            booked = await store.booked_sessions_many(conn, staff_ids, offering_id)
            seated = await store.count_seated(conn, offering_id)
            answers: list[Made | Exception] = []
            added: list[tuple[Enrollment, StaffMember, str | None]] = []
            events: list[Event] = []
            for r in requests:
                person = r.staff.staff_id
                try:
                    if r.key and (seen := keyed.get((person, r.key))):
                        answers.append((_same_offering(seen, offering_id, r.key), False, []))
                        continue
                    warnings = admit(offering, r, live.get(person), booked.get(person, []))
                    new = Enrollment(uuid4(), offering_id, person, Status.REQUESTED)
                    enrollment, event = domain.join(offering, new, seated, now())
                except CommandRejected as e:
                    answers.append(e)
                    continue
                seated += enrollment.status is Status.ENROLLED
                live[person] = enrollment
                if r.key:
                    keyed[(person, r.key)] = enrollment
                added.append((enrollment, r.staff, r.key))
                events.append(event)
                answers.append((enrollment, True, warnings))
            await store.add_many(conn, added)
            await emit(conn, self._source, events)
            return answers

    async def _enrol_alone(self, offering_id: Hashable, r: Enrolment) -> Made:
        """A group of one, in a transaction of its own: the desk's way when a group failed."""
        assert isinstance(offering_id, UUID)
        try:
            [answer] = await self._enrol_together(offering_id, [r])
        except asyncpg.UniqueViolationError:
            # The same key, concurrently, for another offering of the same person.
            async with self._pool.acquire() as conn:
                seen = r.key and await store.by_idempotency_key(conn, r.staff.staff_id, r.key)
            if r.key and seen:
                return _same_offering(seen, offering_id, r.key), False, []
            raise
        if isinstance(answer, Exception):
            raise answer
        return answer

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
                made.append(enrollment)
                events.append(event)
            await store.add_many(conn, [(e, m, None) for e, m in zip(made, members, strict=True)])
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
    return admit(
        offering,
        Enrolment(staff, None, confirm_overlap),
        await store.live(conn, offering.offering_id, staff.staff_id),
        await store.booked_sessions(conn, staff.staff_id, offering.offering_id),
    )


def admit(
    offering: Offering,
    r: Enrolment,
    existing: Enrollment | None,
    booked: Sequence[tuple[str, Session]],
) -> list[str]:
    """Raises when the person may not enrol, given their live enrollment in the offering
    and the sessions they have booked elsewhere; returns the overlaps they confirmed."""
    check_eligible(offering.details, r.staff, now())
    if existing is not None:
        raise Conflict(
            f"staff member {r.staff.staff_id} already has an enrollment in offering"
            f" {offering.offering_id} ({existing.status.value}): {existing.enrollment_id}"
        )
    clashes = overlaps(offering.sessions, booked)
    if clashes and not r.confirm_overlap:
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


def _same_offering(seen: Enrollment, offering_id: UUID, key: str) -> Enrollment:
    """The enrollment an earlier request with this key made, if the request was the same."""
    if seen.offering_id != offering_id:
        raise CommandRejected(
            f"Idempotency-Key {key!r} was used for another request (offering {seen.offering_id})"
        )
    return seen
