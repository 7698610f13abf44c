"""Taking part: attendance per session, and completion (from attendance by the offering's
criteria, or recorded by the academy), with programmes completed along the way."""

from datetime import date
from uuid import UUID

from contracts import Event
from contracts.enrollment import Completed, ProgrammeCompleted
from contracts.values import EnrollmentStatus
from services.enrollment.domain import enrollments
from services.enrollment.domain.attendance import outcome
from services.enrollment.domain.enrollments import Enrollment
from services.enrollment.store import Store
from services.shared.clock import dutch_today, now
from services.shared.errors import CommandRejected, Conflict
from services.shared.unit_of_work import Begin


class AttendanceCommands:
    """The academy records attendance per session, and completion or not."""

    def __init__(self, begin: Begin[Store]) -> None:
        self._begin = begin

    async def record_attendance(
        self, enrollment_id: UUID, session_id: UUID, attended: bool
    ) -> Enrollment:
        """Records one session; once every session is recorded the outcome follows."""
        async with self._begin() as unit:
            enrollment, offering = await unit.store.locked(enrollment_id, seats=False)
            if enrollment.status is not EnrollmentStatus.ENROLLED:
                raise Conflict(
                    "attendance is recorded for enrolled staff;"
                    f" this enrollment is {enrollment.status.value}"
                )
            session = next((s for s in offering.sessions if s.session_id == session_id), None)
            if session is None:
                raise CommandRejected(f"session_id: {session_id} is not a session of this offering")
            await unit.store.record_attendance(enrollment_id, session_id, attended)
            events: list[Event] = [
                enrollments.attendance_recorded(offering, enrollment, session, attended, now())
            ]
            result = outcome(offering.details, await unit.store.attendance_of(enrollment_id))
            if result is not None and result.completed:
                enrollment, done = enrollments.complete(
                    offering, enrollment, result.on, None, attended_share=result.attended_share
                )
                events.append(done)
            elif result is not None:
                enrollment, missed = enrollments.not_complete(
                    offering, enrollment, result.on, attended_share=result.attended_share
                )
                events.append(missed)
            await unit.store.update([enrollment])
            if isinstance(events[-1], Completed):
                events += await _programmes(unit.store, events[-1])
            unit.emit(events)
            return enrollment

    async def complete(
        self, enrollment_id: UUID, on: date | None, hours: float | None, reason: str
    ) -> Enrollment:
        """The academy records completion by hand, with a reason."""
        async with self._begin() as unit:
            enrollment, offering = await unit.store.locked(enrollment_id, seats=False)
            done, event = enrollments.complete(
                offering, enrollment, on or dutch_today(), hours, reason=reason
            )
            await unit.store.update([done])
            unit.emit([event, *await _programmes(unit.store, event)])
            return done

    async def not_complete(self, enrollment_id: UUID, reason: str) -> Enrollment:
        async with self._begin() as unit:
            enrollment, offering = await unit.store.locked(enrollment_id, seats=False)
            missed, event = enrollments.not_complete(
                offering, enrollment, dutch_today(), reason=reason
            )
            await unit.store.update([missed])
            unit.emit([event])
            return missed


async def _programmes(store: Store, done: Completed) -> list[ProgrammeCompleted]:
    """Programmes this completion finishes for the person; the enrollment's new state
    must already be stored."""
    await store.lock_person(done.staff_id)
    finished = await store.programmes_finished(done.staff_id, done.offering.offering_id)
    out = []
    for programme_id, title, offering_ids in finished:
        await store.add_programme_completion(done.staff_id, programme_id, done.completed_on)
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
