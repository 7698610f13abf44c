"""Seats a school leader reserves for a team, to fill with names later or give back."""

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID, uuid4

import asyncpg

from contracts.enrollment import Enrolled, EnrolledVia, ReservationReleased, SeatsReserved
from contracts.values import EnrollmentStatus
from services.enrollment.commands.seating import admissible, promote
from services.enrollment.domain.eligibility import StaffMember, check_open_to
from services.enrollment.domain.enrollments import Enrollment, Offering
from services.enrollment.domain.reservations import Reservation
from services.enrollment.store import Store
from services.shared.clock import now
from services.shared.errors import CommandRejected, Conflict
from services.shared.unit_of_work import Begin


class ReservationCommands:
    def __init__(self, begin: Begin[Store]) -> None:
        self._begin = begin

    async def reserve(
        self, offering_id: UUID, leader_id: UUID, board_id: UUID, seats: int, key: str | None = None
    ) -> tuple[Reservation, bool]:
        """The reservation, and whether this call made it (False: a repeated key)."""
        try:
            return await self._reserve(offering_id, leader_id, board_id, seats, key)
        except asyncpg.UniqueViolationError:
            # The same key, concurrently, for another offering: that request's reservation
            # now stands, and this one is refused for naming another request.
            async with self._begin() as unit:
                seen = key and await unit.store.reservation_by_key(leader_id, key)
            if key and seen:
                return _same_request(seen, key, offering_id, board_id, seats), False
            raise

    async def _reserve(
        self, offering_id: UUID, leader_id: UUID, board_id: UUID, seats: int, key: str | None
    ) -> tuple[Reservation, bool]:
        async with self._begin() as unit:
            offering = await unit.store.offering(offering_id)
            if key and (seen := await unit.store.reservation_by_key(leader_id, key)):
                return _same_request(seen, key, offering_id, board_id, seats), False
            if offering.withdrawn:
                raise Conflict("the offering was withdrawn")
            check_open_to(offering.details, board_id, now())
            free = offering.free_seats(await unit.store.count_seated(offering_id))
            if free is not None and free < seats:
                raise Conflict(f"{free} seat(s) free: {seats} cannot be reserved")
            made = Reservation(uuid4(), offering_id, leader_id, board_id, seats, 0, False)
            await unit.store.add_reservation(made, key)
            event = SeatsReserved(
                reservation_id=made.reservation_id,
                leader_id=leader_id,
                offering=offering.snapshot,
                seats=seats,
                reserved_at=now(),
            )
            unit.emit([event])
            return made, True

    async def fill(self, reservation_id: UUID, members: Sequence[StaffMember]) -> list[Enrollment]:
        """Names for reserved seats: each member is enrolled in one, all or none."""
        if len({m.staff_id for m in members}) != len(members):
            raise CommandRejected("members: a staff member appears more than once")
        async with self._begin() as unit:
            held, offering = await _held(unit.store, reservation_id)
            if offering.withdrawn:
                raise Conflict("the offering was withdrawn")
            if held.open < len(members):
                raise Conflict(f"{held.open} reserved seat(s) open for {len(members)} members")
            for member in members:
                await admissible(unit.store, offering, member, confirm_overlap=True)
            made = [
                Enrollment(uuid4(), offering.offering_id, m.staff_id, EnrollmentStatus.ENROLLED)
                for m in members
            ]
            await unit.store.add_many([(e, m, None) for e, m in zip(made, members, strict=True)])
            await unit.store.fill_reservation(reservation_id, len(members))
            unit.emit(
                [
                    Enrolled(
                        enrollment_id=e.enrollment_id,
                        staff_id=e.staff_id,
                        offering=offering.snapshot,
                        via=EnrolledVia.RESERVATION,
                        enrolled_at=now(),
                    )
                    for e in made
                ]
            )
            return made

    async def release(self, reservation_id: UUID) -> Reservation:
        """Gives back the seats still open; the waiting list moves up into them."""
        async with self._begin() as unit:
            held, offering = await _held(unit.store, reservation_id)
            if held.released:
                raise Conflict("the reservation was already released")
            await unit.store.release_reservation(reservation_id)
            event = released(offering, held)
            await promote(unit, offering, [event])
            return replace(held, released=True)


def released(offering: Offering, held: Reservation) -> ReservationReleased:
    """The event of a reservation given back, as it stood before: its open seats are freed."""
    return ReservationReleased(
        reservation_id=held.reservation_id,
        leader_id=held.leader_id,
        offering=offering.snapshot,
        seats_released=held.open,
        released_at=now(),
    )


async def _held(store: Store, reservation_id: UUID) -> tuple[Reservation, Offering]:
    """The reservation as it stands once its offering is locked (as `locked` does for an
    enrollment: every change to a reservation takes its offering's lock first)."""
    first = await store.reservation(reservation_id)
    offering = await store.offering(first.offering_id)
    return await store.reservation(reservation_id, lock=True), offering


def _same_request(
    seen: Reservation, key: str, offering_id: UUID, board_id: UUID, seats: int
) -> Reservation:
    """The reservation an earlier request with this key made, if the request was the same."""
    if (seen.offering_id, seen.board_id, seen.seats) != (offering_id, board_id, seats):
        raise CommandRejected(
            f"Idempotency-Key {key!r} was used for another request"
            f" ({seen.seats} seat(s) of offering {seen.offering_id})"
        )
    return seen
