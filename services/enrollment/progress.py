"""Taking part: attendance per session, and completion (from attendance by the offering's
criteria, or recorded by the academy), with programmes completed along the way."""

from datetime import date
from uuid import UUID

import asyncpg

from contracts import Completed, Event, ProgrammeCompleted
from services.enrollment import domain, lookup, records, store
from services.enrollment.attendance import outcome
from services.enrollment.domain import Enrollment, Status
from services.enrollment.records import emit
from services.shared.clock import dutch_today, now
from services.shared.db import Connection
from services.shared.errors import CommandRejected, Conflict


class Progress:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source

    async def record_attendance(
        self, enrollment_id: UUID, session_id: UUID, attended: bool
    ) -> Enrollment:
        """Records one session; once every session is recorded the outcome follows."""
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await lookup.locked(conn, enrollment_id, seats=False)
            if enrollment.status is not Status.ENROLLED:
                raise Conflict(
                    "attendance is recorded for enrolled staff;"
                    f" this enrollment is {enrollment.status.value}"
                )
            session = next((s for s in offering.sessions if s.session_id == session_id), None)
            if session is None:
                raise CommandRejected(f"session_id: {session_id} is not a session of this offering")
            await records.record_attendance(conn, enrollment_id, session_id, attended)
            events: list[Event] = [
                domain.attendance_recorded(offering, enrollment, session, attended, now())
            ]
            result = outcome(offering.details, await records.attendance_of(conn, enrollment_id))
            if result is not None and result.completed:
                enrollment, done = domain.complete(
                    offering, enrollment, result.on, None, attended_share=result.attended_share
                )
                events.append(done)
            elif result is not None:
                enrollment, missed = domain.not_complete(
                    offering, enrollment, result.on, attended_share=result.attended_share
                )
                events.append(missed)
            await store.update(conn, [enrollment])
            if isinstance(events[-1], Completed):
                events += await self._programmes(conn, events[-1])
            await emit(conn, self._source, events)
            return enrollment

    async def complete(
        self, enrollment_id: UUID, on: date | None, hours: float | None, reason: str
    ) -> Enrollment:
        """The academy records completion by hand, with a reason."""
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await lookup.locked(conn, enrollment_id, seats=False)
            done, event = domain.complete(
                offering, enrollment, on or dutch_today(), hours, reason=reason
            )
            await store.update(conn, [done])
            await emit(conn, self._source, [event, *await self._programmes(conn, event)])
            return done

    async def not_complete(self, enrollment_id: UUID, reason: str) -> Enrollment:
        async with self._pool.acquire() as conn, conn.transaction():
            enrollment, offering = await lookup.locked(conn, enrollment_id, seats=False)
            missed, event = domain.not_complete(offering, enrollment, dutch_today(), reason=reason)
            await store.update(conn, [missed])
            await emit(conn, self._source, [event])
            return missed

    async def _programmes(self, conn: Connection, done: Completed) -> list[ProgrammeCompleted]:
        """Programmes this completion finishes for the person; the enrollment's new state
        must already be stored."""
        await records.lock_person(conn, done.staff_id)
        finished = await records.programmes_finished(conn, done.staff_id, done.offering.offering_id)
        out = []
        for programme_id, title, offering_ids in finished:
            await records.add_programme_completion(
                conn, done.staff_id, programme_id, done.completed_on
            )
            out.append(
                ProgrammeCompleted(
                    staff_id=done.staff_id,
                    programme_id=programme_id,
                    title=title,
                    offering_ids=tuple(offering_ids),
                    completed_on=done.completed_on,
                )
            )
        return out
