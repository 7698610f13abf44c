"""Seats a school leader reserves for a team, to fill with names later or give back."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID, uuid4

import asyncpg

from contracts import ReservationReleased, SeatsReserved
from contracts.enrollment import Enrolled, EnrolledVia
from services.enrollment import lookup, store
from services.enrollment.domain import Enrollment, Offering, Status
from services.enrollment.eligibility import StaffMember, check_open_to
from services.enrollment.records import emit
from services.enrollment.service import admissible, promote
from services.shared.clock import now
from services.shared.db import Connection
from services.shared.errors import CommandRejected, Conflict, NotFound


@dataclass(frozen=True)
class Reservation:
    reservation_id: UUID
    offering_id: UUID
    leader_id: UUID
    board_id: UUID
    seats: int
    filled: int
    released: bool

    @property
    def open(self) -> int:
        return 0 if self.released else self.seats - self.filled


class Reservations:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source

    async def reserve(
        self, offering_id: UUID, leader_id: UUID, board_id: UUID, seats: int
    ) -> Reservation:
        async with self._pool.acquire() as conn, conn.transaction():
            offering = await lookup.offering(conn, offering_id)
            if offering.withdrawn:
                raise Conflict("the offering was withdrawn")
            check_open_to(offering.details, board_id, now())
            free = offering.free_seats(await store.count_seated(conn, offering_id))
            if free is not None and free < seats:
                raise Conflict(f"{free} seat(s) free: {seats} cannot be reserved")
            made = Reservation(uuid4(), offering_id, leader_id, board_id, seats, 0, False)
            await conn.execute(
                "INSERT INTO reservations (reservation_id, offering_id, leader_id, board_id, seats)"
                " VALUES ($1, $2, $3, $4, $5)",
                made.reservation_id,
                offering_id,
                leader_id,
                board_id,
                seats,
            )
            event = SeatsReserved(
                reservation_id=made.reservation_id,
                leader_id=leader_id,
                offering=offering.snapshot,
                seats=seats,
                reserved_at=now(),
            )
            await emit(conn, self._source, [event])
            return made

    async def fill(self, reservation_id: UUID, members: Sequence[StaffMember]) -> list[Enrollment]:
        """Names for reserved seats: each member is enrolled in one, all or none."""
        if len({m.staff_id for m in members}) != len(members):
            raise CommandRejected("members: a staff member appears more than once")
        async with self._pool.acquire() as conn, conn.transaction():
            held, offering = await _held(conn, reservation_id)
            if offering.withdrawn:
                raise Conflict("the offering was withdrawn")
            if held.open < len(members):
                raise Conflict(f"{held.open} reserved seat(s) open for {len(members)} members")
            for member in members:
                await admissible(conn, offering, member, confirm_overlap=True)
            made = [
                Enrollment(uuid4(), offering.offering_id, m.staff_id, Status.ENROLLED)
                for m in members
            ]
            await store.add_many(conn, [(e, m, None) for e, m in zip(made, members, strict=True)])
            await conn.execute(
                "UPDATE reservations SET filled = filled + $2 WHERE reservation_id = $1",
                reservation_id,
                len(members),
            )
            events = [
                Enrolled(
                    enrollment_id=e.enrollment_id,
                    staff_id=e.staff_id,
                    offering=offering.snapshot,
                    via=EnrolledVia.RESERVATION,
                    enrolled_at=now(),
                )
                for e in made
            ]
            await emit(conn, self._source, events)
            return made

    async def release(self, reservation_id: UUID) -> Reservation:
        """Gives back the seats still open; the waiting list moves up into them."""
        async with self._pool.acquire() as conn, conn.transaction():
            held, offering = await _held(conn, reservation_id)
            if held.released:
                raise Conflict("the reservation was already released")
            await conn.execute(
                "UPDATE reservations SET released = true WHERE reservation_id = $1", reservation_id
            )
            event = ReservationReleased(
                reservation_id=reservation_id,
                leader_id=held.leader_id,
                offering=offering.snapshot,
                seats_released=held.open,
                released_at=now(),
            )
            await promote(conn, self._source, offering, [event])
            return replace(held, released=True)

    async def get(self, reservation_id: UUID) -> Reservation:
        async with self._pool.acquire() as conn:
            return await _reservation(conn, reservation_id)


async def release_open(conn: Connection, offering: Offering) -> list[ReservationReleased]:
    """Releases every open reservation of a withdrawn offering, in the caller's transaction."""
    rows = await conn.fetch(
        "UPDATE reservations SET released = true WHERE offering_id = $1 AND NOT released"
        " RETURNING reservation_id, leader_id, seats - filled AS open",
        offering.offering_id,
    )
    return [
        ReservationReleased(
            reservation_id=r["reservation_id"],
            leader_id=r["leader_id"],
            offering=offering.snapshot,
            seats_released=r["open"],
            released_at=now(),
        )
        for r in rows
    ]


async def _held(conn: Connection, reservation_id: UUID) -> tuple[Reservation, Offering]:
    """The reservation as it stands once its offering is locked (as lookup.locked does for
    an enrollment: every change to a reservation takes its offering's lock first)."""
    first = await _reservation(conn, reservation_id)
    offering = await lookup.offering(conn, first.offering_id)
    return await _reservation(conn, reservation_id, lock=True), offering


async def _reservation(
    conn: Connection, reservation_id: UUID, *, lock: bool = False
) -> Reservation:
    sql = (
        "SELECT reservation_id, offering_id, leader_id, board_id, seats, filled, released"
        " FROM reservations WHERE reservation_id = $1"
    )
    row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), reservation_id)
    if row is None:
        raise NotFound(f"no reservation {reservation_id}")
    return Reservation(**dict(row))
