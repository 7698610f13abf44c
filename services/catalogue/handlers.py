"""The catalogue's reactions to events: seats taken per offering, from enrollment's events.

A seat is held from Enrolled (directly, from the waiting list, a team or an interest list)
until the enrollment is cancelled from `enrolled`; completing or not completing keeps it,
because the person took part, so those events are of no interest here. Each handler runs
in the consumer's unit of work, which also records the event ids in the inbox, so a
redelivered event never counts twice.
"""

from collections.abc import Sequence

from contracts import topics
from contracts.enrollment import (
    CancelledFrom,
    Enrolled,
    EnrolledVia,
    EnrollmentCancelled,
    ReservationReleased,
    SeatsReserved,
)
from services.catalogue.store import Store
from services.shared.consumer import Handlers
from services.shared.definition import Subscription
from services.shared.unit_of_work import UnitOfWork

SeatEvent = Enrolled | EnrollmentCancelled | SeatsReserved | ReservationReleased


def seats_moved(event: SeatEvent) -> int | None:
    """How many seats of its offering an event takes (or, below zero, frees); None when it
    does not count seats."""
    if isinstance(event, Enrolled):
        # A reserved seat was counted when it was reserved; a name on it changes nothing.
        return None if event.via is EnrolledVia.RESERVATION else 1
    if isinstance(event, SeatsReserved):
        return event.seats
    if isinstance(event, ReservationReleased):
        return -event.seats_released
    return -1 if event.cancelled_from is CancelledFrom.ENROLLED else None


async def count_seats(unit: UnitOfWork[Store], events: Sequence[SeatEvent]) -> None:
    for event in events:
        if (delta := seats_moved(event)) is not None:
            await unit.store.add_seats(event.offering.offering_id, delta)


HANDLERS: Handlers = dict.fromkeys(
    (Enrolled, EnrollmentCancelled, SeatsReserved, ReservationReleased), count_seats
)
SUBSCRIPTIONS = (Subscription("catalogue.seats", (topics.ENROLLMENTS,), HANDLERS),)
