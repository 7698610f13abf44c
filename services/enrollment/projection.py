"""Enrollment's copy of the catalogue, kept from its events inside the consumer's
transaction; changes to an offering move people on (seats freed, dates added, withdrawal)."""

import asyncpg

from contracts import (
    CourseOffered,
    CourseUpdated,
    CourseWithdrawn,
    ProgrammeCompleted,
    ProgrammeOffered,
)
from services.enrollment import domain, records, store
from services.enrollment.domain import Offering, Status
from services.enrollment.records import emit
from services.enrollment.reservations import release_open
from services.enrollment.service import promote
from services.shared.clock import now
from services.shared.db import Connection

WITHDRAWN_REASON = "offering withdrawn"


class CatalogueProjection:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source

    async def on_course_offered(self, conn: Connection, event: CourseOffered) -> None:
        if await store.get_offering(conn, event.offering.offering_id) is None:
            await store.save_offering(conn, Offering(event.offering))

    async def on_course_updated(self, conn: Connection, event: CourseUpdated) -> None:
        current = await store.get_offering(conn, event.offering.offering_id, lock="FOR UPDATE")
        if current is not None and (
            current.withdrawn or current.details.version > event.offering.version
        ):
            return  # withdrawn stays withdrawn; an older version never replaces a newer one
        offering = Offering(event.offering)
        await store.save_offering(conn, offering)
        # Seats freed (capacity raised) go to the waiting list first: they came first.
        await promote(conn, self._source, offering, [])
        seated = await store.count_seated(conn, offering.offering_id)
        interested = await store.with_status(conn, offering.offering_id, Status.INTERESTED)
        offered = domain.offer_seats(offering, seated, interested, now())
        await store.update(conn, [e for e, _ in offered])
        await emit(conn, self._source, [ev for _, ev in offered])

    async def on_course_withdrawn(self, conn: Connection, event: CourseWithdrawn) -> None:
        current = await store.get_offering(conn, event.offering_id, lock="FOR UPDATE")
        if current is None or current.withdrawn:
            return
        offering = Offering(current.details, withdrawn=True)
        await store.save_offering(conn, offering)
        live = await store.with_status(conn, offering.offering_id, *domain.CANCELLABLE)
        cancelled = [domain.cancel(offering, e, WITHDRAWN_REASON, now()) for e in live]
        await store.update(conn, [e for e, _ in cancelled])
        released = await release_open(conn, offering)
        await emit(conn, self._source, [*(ev for _, ev in cancelled), *released])

    async def on_programme_offered(self, conn: Connection, event: ProgrammeOffered) -> None:
        await records.save_programme(conn, event.programme_id, event.title, event.offering_ids)
        # Whoever completed every offering before the programme was announced has completed it.
        done = await records.completed_all(conn, event.offering_ids)
        for staff_id, on in done:
            await records.add_programme_completion(conn, staff_id, event.programme_id, on)
        await emit(
            conn,
            self._source,
            [
                ProgrammeCompleted(
                    staff_id=staff_id,
                    programme_id=event.programme_id,
                    title=event.title,
                    offering_ids=event.offering_ids,
                    completed_on=on,
                )
                for staff_id, on in done
            ],
        )
