"""Enrollment: the iCalendar feed, with stable UIDs and a SEQUENCE that follows changes."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from icalendar import Calendar, Component

from contracts.values import EnrollmentStatus, OfferingDetails, OfferingKind, Session
from services.enrollment.domain.calendar import PRODUCT, Booking, render, uid
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

STAMP = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
CEST = timezone(timedelta(hours=2))
FIRST = datetime(2025, 10, 6, 14, 0, tzinfo=CEST)


def a_session(starts_at: datetime, location: str = "Room 1") -> Session:
    ends_at = starts_at + timedelta(hours=2)
    return Session(session_id=uuid4(), starts_at=starts_at, ends_at=ends_at, location=location)


def an_offering(version: int = 1, **overrides: object) -> OfferingDetails:
    base = offering_details(
        title="Feedback in the classroom",
        academy_name="Academie De Linde",
        kind=OfferingKind.WORKSHOP,
        sessions=(a_session(FIRST), a_session(FIRST + timedelta(days=14))),
    ).model_dump()
    return OfferingDetails.model_validate(base | {"version": version} | overrides)


def a_booking(
    status: EnrollmentStatus = EnrollmentStatus.ENROLLED,
    offering: OfferingDetails | None = None,
    *,
    revision: int = 0,
    withdrawn: bool = False,
    enrollment_id: UUID | None = None,
) -> Booking:
    offering = offering or an_offering()
    return Booking(enrollment_id or uuid4(), status, revision, offering, withdrawn)


def events(*bookings: Booking, name: str = "Calendar") -> list[Component]:
    return list(Calendar.from_ical(render(bookings, name, STAMP)).walk("VEVENT"))


def test_the_calendar_names_itself() -> None:
    calendar = Calendar.from_ical(render([], "Jan's courses", STAMP))
    assert (str(calendar["PRODID"]), str(calendar["VERSION"])) == (PRODUCT, "2.0")
    assert str(calendar["X-WR-CALNAME"]) == "Jan's courses"
    assert calendar.walk("VEVENT") == []


@pytest.mark.parametrize(
    "status",
    [
        EnrollmentStatus.ENROLLED,
        EnrollmentStatus.COMPLETED,
        EnrollmentStatus.NOT_COMPLETED,
        EnrollmentStatus.CANCELLED,
    ],
)
def test_one_event_per_session_of_a_booking_that_held_a_seat(status: EnrollmentStatus) -> None:
    booking = a_booking(status)
    found = events(booking)
    assert [str(e["UID"]) for e in found] == [
        uid(booking.enrollment_id, s.session_id) for s in booking.offering.sessions
    ]


@pytest.mark.parametrize(
    "status",
    [
        EnrollmentStatus.WAITLISTED,
        EnrollmentStatus.REQUESTED,
        EnrollmentStatus.INTERESTED,
        EnrollmentStatus.DECLINED,
    ],
)
def test_no_event_without_a_seat(status: EnrollmentStatus) -> None:
    assert events(a_booking(status)) == []


def test_each_booking_contributes_its_own_sessions() -> None:
    shown, hidden = a_booking(), a_booking(EnrollmentStatus.WAITLISTED)
    other = a_booking(EnrollmentStatus.COMPLETED, an_offering(sessions=(a_session(FIRST),)))
    uids = [str(e["UID"]) for e in events(shown, hidden, other)]
    assert [u.split(".")[0] for u in uids] == [str(shown.enrollment_id)] * 2 + [
        str(other.enrollment_id)
    ]


def test_an_event_carries_the_session_and_the_offering() -> None:
    event = events(a_booking(revision=2, offering=an_offering(version=3)))[0]
    assert event.decoded("DTSTART") == FIRST
    assert event.decoded("DTEND") == FIRST + timedelta(hours=2)
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("SEQUENCE") == 5
    assert str(event["SUMMARY"]) == "Feedback in the classroom"
    assert str(event["LOCATION"]) == "Room 1"
    assert str(event["DESCRIPTION"]) == "Academie De Linde (workshop)"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_times_are_written_in_utc() -> None:
    raw = render([a_booking()], "Calendar", STAMP).decode()
    assert "DTSTART:20251006T120000Z" in raw
    assert "DTEND:20251006T140000Z" in raw
    assert events(a_booking())[0].decoded("DTSTART").utcoffset() == timedelta(0)


def test_a_moved_session_keeps_its_uid_and_raises_the_sequence() -> None:
    before = an_offering(version=1)
    later = FIRST + timedelta(days=1)
    moved = before.sessions[0].model_copy(
        update={"starts_at": later, "ends_at": later + timedelta(hours=2)}
    )
    after = before.model_copy(update={"version": 2, "sessions": (moved, before.sessions[1])})
    booking = a_booking(offering=before)
    old = events(booking)
    new = events(a_booking(offering=after, enrollment_id=booking.enrollment_id))
    assert [str(e["UID"]) for e in new] == [str(e["UID"]) for e in old]
    assert [e.decoded("SEQUENCE") for e in old] == [1, 1]
    assert [e.decoded("SEQUENCE") for e in new] == [2, 2]
    assert new[0].decoded("DTSTART") == later
    assert new[1].decoded("DTSTART") == old[1].decoded("DTSTART")


def test_uids_differ_per_enrollment_and_per_session() -> None:
    e1, e2, s1, s2 = uuid4(), uuid4(), uuid4(), uuid4()
    assert len({uid(e1, s1), uid(e1, s2), uid(e2, s1)}) == 3
    assert uid(e1, s1) == uid(UUID(str(e1)), UUID(str(s1)))  # the same ids, made anew


def test_the_revision_of_the_enrollment_adds_to_the_sequence() -> None:
    found = events(a_booking(EnrollmentStatus.CANCELLED, an_offering(version=4), revision=3))
    assert [e.decoded("SEQUENCE") for e in found] == [7, 7]


@pytest.mark.parametrize(
    ("status", "withdrawn"),
    [(EnrollmentStatus.CANCELLED, False), (EnrollmentStatus.ENROLLED, True)],
)
def test_a_cancelled_booking_or_withdrawn_offering_marks_events_cancelled(
    status: EnrollmentStatus, withdrawn: bool
) -> None:
    found = events(a_booking(status, withdrawn=withdrawn))
    assert [str(e["STATUS"]) for e in found] == ["CANCELLED", "CANCELLED"]


@pytest.mark.parametrize(
    "status",
    [EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED],
)
def test_a_held_seat_is_confirmed(status: EnrollmentStatus) -> None:
    assert [str(e["STATUS"]) for e in events(a_booking(status))] == ["CONFIRMED", "CONFIRMED"]


def test_withdrawal_raises_the_sequence_of_entries_it_cancels() -> None:
    offering = an_offering(version=2)
    before = events(a_booking(EnrollmentStatus.ENROLLED, offering, revision=1))
    after = events(a_booking(EnrollmentStatus.ENROLLED, offering, revision=1, withdrawn=True))
    assert [e.decoded("SEQUENCE") for e in before] == [3, 3]
    assert [e.decoded("SEQUENCE") for e in after] == [4, 4]
