"""Seats taken per offering, projected from enrollment's events.

A seat is held from Enrolled (directly, from the waiting list, a team or an interest list)
until the enrollment is cancelled from `enrolled`; completing or not completing keeps it,
because the person took part. Each handler runs inside the consumer's transaction, which
also records the event id in the inbox, so a redelivered event never counts twice.
"""

from uuid import UUID

from contracts.enrollment import (
    CancelledFrom,
    Enrolled,
    EnrolledVia,
    EnrollmentCancelled,
    ReservationReleased,
    SeatsReserved,
)
from services.shared.db import Connection

GROUP = "catalogue.seats"


async def add(conn: Connection, offering_id: UUID, delta: int) -> None:
    await conn.execute(
        "INSERT INTO seats (offering_id, taken) VALUES ($1, $2)"
        " ON CONFLICT (offering_id) DO UPDATE"
        " SET taken = seats.taken + EXCLUDED.taken, updated_at = now()",
        offering_id,
        delta,
    )


async def on_enrolled(conn: Connection, event: Enrolled) -> None:
    # A reserved seat was counted when it was reserved; a name on it changes nothing.
    if event.via is not EnrolledVia.RESERVATION:
        await add(conn, event.offering.offering_id, +1)


async def on_seats_reserved(conn: Connection, event: SeatsReserved) -> None:
    await add(conn, event.offering.offering_id, event.seats)


async def on_reservation_released(conn: Connection, event: ReservationReleased) -> None:
    await add(conn, event.offering.offering_id, -event.seats_released)


async def on_enrollment_cancelled(conn: Connection, event: EnrollmentCancelled) -> None:
    if event.cancelled_from is CancelledFrom.ENROLLED:
        await add(conn, event.offering.offering_id, -1)
