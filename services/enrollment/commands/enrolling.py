"""Enrolling: one person, or a team at once; the school leader approves or declines; anyone
cancels. Every decision about an offering's seats takes that offering's row lock, so
capacity holds under concurrency."""

from collections.abc import Hashable, Sequence
from uuid import UUID, uuid4

import asyncpg

from contracts import Event
from contracts.enrollment import EnrolledVia
from contracts.values import EnrollmentStatus
from services.enrollment.commands.desk import Desk
from services.enrollment.commands.seating import (
    EnrollmentRequest,
    admissible,
    admit,
    promote,
)
from services.enrollment.domain import enrollments
from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.domain.enrollments import Enrollment
from services.enrollment.store import Store
from services.shared.clock import now
from services.shared.errors import CommandRejected, Conflict
from services.shared.unit_of_work import Begin

Made = tuple[Enrollment, bool, list[str]]


class EnrollmentCommands:
    def __init__(self, begin: Begin[Store]) -> None:
        self._begin = begin
        self._desk: Desk[EnrollmentRequest, Made] = Desk(self._enrol_together, self._enrol_alone)

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
        return await self._desk.submit(offering_id, EnrollmentRequest(staff, key, confirm_overlap))

    async def _enrol_together(
        self, offering_id: Hashable, requests: Sequence[EnrollmentRequest]
    ) -> list[Made | Exception]:
        """In arrival order under the offering's lock: what the people already have is read
        for all of them at once, the new enrollments and their events written at once."""
        assert isinstance(offering_id, UUID)
        staff_ids = [r.staff.staff_id for r in requests]
        async with self._begin() as unit:
            offering = await unit.store.offering(offering_id)
            keyed = await unit.store.by_idempotency_keys(
                [(r.staff.staff_id, r.key) for r in requests if r.key]
            )
            live = await unit.store.live_many(offering_id, staff_ids)
            booked = await unit.store.booked_sessions_many(staff_ids, offering_id)
            seated = await unit.store.count_seated(offering_id)
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
                    new = Enrollment(uuid4(), offering_id, person, EnrollmentStatus.REQUESTED)
                    enrollment, event = enrollments.join(offering, new, seated, now())
                except CommandRejected as e:
                    answers.append(e)
                    continue
                seated += enrollment.status is EnrollmentStatus.ENROLLED
                live[person] = enrollment
                if r.key:
                    keyed[(person, r.key)] = enrollment
                added.append((enrollment, r.staff, r.key))
                events.append(event)
                answers.append((enrollment, True, warnings))
            await unit.store.add_many(added)
            unit.emit(events)
            return answers

    async def _enrol_alone(self, offering_id: Hashable, r: EnrollmentRequest) -> Made:
        """A group of one, in a transaction of its own: the desk's way when a group failed."""
        assert isinstance(offering_id, UUID)
        try:
            [answer] = await self._enrol_together(offering_id, [r])
        except asyncpg.UniqueViolationError:
            # The same key, concurrently, for another offering of the same person.
            async with self._begin() as unit:
                seen = r.key and await unit.store.by_idempotency_key(r.staff.staff_id, r.key)
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
        async with self._begin() as unit:
            offering = await unit.store.offering(offering_id)
            if offering.withdrawn:
                raise Conflict("the offering was withdrawn")
            if not offering.sessions:
                raise Conflict("the offering has no dates yet: staff can join its interest list")
            warnings = []
            for member in members:
                warnings += await admissible(unit.store, offering, member, confirm_overlap)
            seated = await unit.store.count_seated(offering_id)
            free = offering.free_seats(seated)
            if free is not None and free < len(members):
                raise Conflict(
                    f"{free} seat(s) free and the team has {len(members)} members:"
                    " nobody was enrolled"
                )
            made, events = [], []
            for member in members:
                new = Enrollment(uuid4(), offering_id, member.staff_id, EnrollmentStatus.REQUESTED)
                enrollment, event = enrollments.seat(offering, new, seated, now(), EnrolledVia.TEAM)
                seated += 1
                made.append(enrollment)
                events.append(event)
            await unit.store.add_many([(e, m, None) for e, m in zip(made, members, strict=True)])
            unit.emit(events)
            return made, warnings

    async def approve(self, enrollment_id: UUID, approver_id: UUID) -> Enrollment:
        async with self._begin() as unit:
            enrollment, offering = await unit.store.locked(enrollment_id)
            seated = await unit.store.count_seated(offering.offering_id)
            approved, event = enrollments.approve(offering, enrollment, seated, now(), approver_id)
            await unit.store.update([approved])
            unit.emit([event])
            return approved

    async def decline(self, enrollment_id: UUID, approver_id: UUID, reason: str) -> Enrollment:
        async with self._begin() as unit:
            enrollment, offering = await unit.store.locked(enrollment_id)
            declined, event = enrollments.decline(offering, enrollment, approver_id, reason, now())
            await unit.store.update([declined])
            unit.emit([event])
            return declined

    async def cancel(self, enrollment_id: UUID, reason: str) -> Enrollment:
        async with self._begin() as unit:
            enrollment, offering = await unit.store.locked(enrollment_id)
            cancelled, event = enrollments.cancel(offering, enrollment, reason, now())
            await unit.store.update([cancelled])
            await promote(unit, offering, [event])
            return cancelled


def _same_offering(seen: Enrollment, offering_id: UUID, key: str) -> Enrollment:
    """The enrollment an earlier request with this key made, if the request was the same."""
    if seen.offering_id != offering_id:
        raise CommandRejected(
            f"Idempotency-Key {key!r} was used for another request (offering {seen.offering_id})"
        )
    return seen
