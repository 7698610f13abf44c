"""Enrollment's reactions to events: its copy of the catalogue, kept from the catalogue's
events in the consumer's unit of work, and the policies that follow a change to an offering
(seats freed go to the waiting list, dates added offer seats to the interest list, a
withdrawal cancels everyone) or a new programme (whoever already completed it has)."""

from collections.abc import Sequence

from contracts import topics
from contracts.catalogue import CourseOffered, CourseUpdated, CourseWithdrawn, ProgrammeOffered
from contracts.enrollment import ProgrammeCompleted
from contracts.privacy import PersonErased
from contracts.values import EnrollmentStatus
from services.enrollment.commands.reservations import released
from services.enrollment.commands.seating import Unit, promote
from services.enrollment.domain import enrollments
from services.enrollment.domain.enrollments import Offering
from services.shared.clock import now
from services.shared.consumer import Handlers
from services.shared.definition import Subscription

WITHDRAWN_REASON = "offering withdrawn"


async def keep_offerings(unit: Unit, events: Sequence[CourseOffered]) -> None:
    for event in events:
        if await unit.store.get_offering(event.offering.offering_id) is None:
            await unit.store.save_offering(Offering(event.offering))


async def follow_updates(unit: Unit, events: Sequence[CourseUpdated]) -> None:
    for event in events:
        offering_id = event.offering.offering_id
        current = await unit.store.get_offering(offering_id, lock="FOR UPDATE")
        if current is not None and (
            current.withdrawn or current.details.version > event.offering.version
        ):
            continue  # withdrawn stays withdrawn; an older version never replaces a newer one
        offering = Offering(event.offering)
        await unit.store.save_offering(offering)
        # Seats freed (capacity raised) go to the waiting list first: they came first.
        await promote(unit, offering, [])
        seated = await unit.store.count_seated(offering_id)
        interested = await unit.store.with_status(offering_id, EnrollmentStatus.INTERESTED)
        offered = enrollments.offer_seats(offering, seated, interested, now())
        await unit.store.update([e for e, _ in offered])
        unit.emit([ev for _, ev in offered])


async def cancel_withdrawn(unit: Unit, events: Sequence[CourseWithdrawn]) -> None:
    for event in events:
        current = await unit.store.get_offering(event.offering_id, lock="FOR UPDATE")
        if current is None or current.withdrawn:
            continue
        offering = Offering(current.details, withdrawn=True)
        await unit.store.save_offering(offering)
        live = await unit.store.with_status(offering.offering_id, *enrollments.CANCELLABLE)
        cancelled = [enrollments.cancel(offering, e, WITHDRAWN_REASON, now()) for e in live]
        await unit.store.update([e for e, _ in cancelled])
        given_back = await unit.store.release_open_reservations(offering.offering_id)
        unit.emit([*(ev for _, ev in cancelled), *(released(offering, r) for r in given_back)])


async def keep_programmes(unit: Unit, events: Sequence[ProgrammeOffered]) -> None:
    for event in events:
        await unit.store.save_programme(event.programme_id, event.title, event.offering_ids)
        # Whoever completed every offering before the programme was announced has completed it.
        done = await unit.store.completed_all(event.offering_ids)
        for staff_id, on in done:
            await unit.store.add_programme_completion(staff_id, event.programme_id, on)
        unit.emit(
            [
                ProgrammeCompleted(
                    staff_id=staff_id,
                    programme_id=event.programme_id,
                    title=event.title,
                    offering_ids=event.offering_ids,
                    completed_on=on,
                )
                for staff_id, on in done
            ]
        )


async def forget_the_erased(unit: Unit, events: Sequence[PersonErased]) -> None:
    for event in events:
        await unit.store.forget(event.staff_id, event.erased_at)


HANDLERS: Handlers = {
    CourseOffered: keep_offerings,
    CourseUpdated: follow_updates,
    CourseWithdrawn: cancel_withdrawn,
    ProgrammeOffered: keep_programmes,
    PersonErased: forget_the_erased,
}
SUBSCRIPTIONS = (
    Subscription("enrollment.offerings", (topics.OFFERINGS,), HANDLERS),
    Subscription("enrollment.programmes", (topics.PROGRAMMES,), HANDLERS),
    Subscription("enrollment.erasures", (topics.ERASURES,), HANDLERS),
)
