"""The web application's reactions to events, in the consumer's unit of work: who holds a
seat in which offering, the offerings' sessions, and the notices the events lead to, all
committed with the events' inbox rows (so none is lost, and none made twice). The mail job
makes the notices into messages (it holds the directory: addresses, names, leaders).
A person's erasure removes what the web holds about them: their sessions, seats and mail."""

from collections.abc import Sequence

from contracts import topics
from contracts.catalogue import CourseOffered, CourseUpdated, CourseWithdrawn
from contracts.enrollment import (
    CancelledFrom,
    Completed,
    Enrolled,
    EnrollmentCancelled,
    EnrollmentDeclined,
    EnrollmentRequested,
    NotCompleted,
    Waitlisted,
)
from contracts.privacy import PersonErased
from services.shared.clock import now
from services.shared.consumer import Handlers
from services.shared.definition import Subscription
from services.shared.unit_of_work import UnitOfWork
from services.web.mail import rules
from services.web.mail.notices import Seat
from services.web.mail.store import MailStore
from services.web.store import Store

EnrollmentEvent = (
    Enrolled
    | Waitlisted
    | EnrollmentRequested
    | EnrollmentCancelled
    | EnrollmentDeclined
    | Completed
    | NotCompleted
)
OfferingEvent = CourseOffered | CourseUpdated | CourseWithdrawn
SEATED = (CancelledFrom.ENROLLED, CancelledFrom.WAITLISTED)


async def follow_enrollments(unit: UnitOfWork[Store], events: Sequence[EnrollmentEvent]) -> None:
    mail = MailStore(unit.store.conn)
    for event in events:
        offering = event.offering
        await mail.name_offering(offering.offering_id, offering.title, offering.academy_name)
        if isinstance(event, Enrolled | Waitlisted):
            seat = Seat(event.enrollment_id, event.staff_id, isinstance(event, Waitlisted))
            await mail.take_seat(seat, offering.offering_id)
            if isinstance(event, Enrolled) and rules.moved_up(event, now()):
                await mail.add_notices([rules.promoted(event)])
        elif isinstance(event, EnrollmentRequested):
            if rules.recent(event.requested_at, now()):
                await mail.add_notices([rules.approval_asked(event)])
        else:  # the enrollment ended: neither a seat nor a place on the waiting list now
            given_up = isinstance(event, EnrollmentCancelled) and event.cancelled_from in SEATED
            await mail.leave_seat(event.enrollment_id, kept=given_up)
            if isinstance(event, EnrollmentCancelled) and given_up:
                await _cancelled_by_a_withdrawal(mail, event)


async def _cancelled_by_a_withdrawal(mail: MailStore, event: EnrollmentCancelled) -> None:
    # Seen after the withdrawal: the same notice as the withdrawal's, so made once. Seen
    # before it, the seat stays known for a while (LEFT_KEPT), and the withdrawal tells
    # this person when it comes.
    known = await mail.offering(event.offering.offering_id)
    if known is not None and known.withdrawn:
        seat = Seat(
            event.enrollment_id, event.staff_id, event.cancelled_from is CancelledFrom.WAITLISTED
        )
        await mail.add_notices(rules.withdrawn(known.offering_id, known.details, [seat], now()))


async def follow_offerings(unit: UnitOfWork[Store], events: Sequence[OfferingEvent]) -> None:
    mail = MailStore(unit.store.conn)
    for event in events:
        if isinstance(event, CourseWithdrawn):
            if await mail.withdraw_offering(event.offering_id):
                known = await mail.offering(event.offering_id)
                details = known.details if known else None
                seats = await mail.seats(event.offering_id, lately_left=True)
                await mail.add_notices(rules.withdrawn(event.offering_id, details, seats, now()))
            continue
        before = await mail.offering(event.offering.offering_id, lock=True)
        if before is not None and (
            before.withdrawn
            or (before.details is not None and before.details.version >= event.offering.version)
        ):
            continue  # withdrawn stays withdrawn; an older version never replaces a newer one
        await mail.save_offering(event.offering)
        if isinstance(event, CourseUpdated):
            seats = await mail.seats(event.offering.offering_id)
            previous = before.details if before else None
            await mail.add_notices(rules.sessions_changed(event, previous, seats, now()))


async def forget_the_erased(unit: UnitOfWork[Store], events: Sequence[PersonErased]) -> None:
    mail = MailStore(unit.store.conn)
    for event in events:
        await mail.forget(event.staff_id)
        await unit.store.close_sessions_of(event.staff_id)


HANDLERS: Handlers = {
    **dict.fromkeys(
        (
            Enrolled,
            Waitlisted,
            EnrollmentRequested,
            EnrollmentCancelled,
            EnrollmentDeclined,
            Completed,
            NotCompleted,
        ),
        follow_enrollments,
    ),
    **dict.fromkeys((CourseOffered, CourseUpdated, CourseWithdrawn), follow_offerings),
    PersonErased: forget_the_erased,
}
SUBSCRIPTIONS = (
    Subscription("web.enrollments", (topics.ENROLLMENTS,), HANDLERS),
    Subscription("web.offerings", (topics.OFFERINGS,), HANDLERS),
    Subscription("web.erasures", (topics.ERASURES,), HANDLERS),
)
