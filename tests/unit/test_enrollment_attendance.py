"""Enrollment: completion that follows from attendance, by the offering's criteria; and
who may have attendance recorded, for which sessions (the commands on a fake unit of work)."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.enrollment import AttendanceRecorded
from contracts.values import EnrollmentStatus, OfferingDetails, Session
from services.enrollment.commands import AttendanceCommands
from services.enrollment.domain.attendance import Outcome, outcome
from services.enrollment.domain.enrollments import Enrollment, Offering
from services.shared.errors import CommandRejected, Conflict
from tests.support.factories import offering_details
from tests.support.fakes import FakeEnrollmentDatabase

pytestmark = pytest.mark.unit

STARTS = (
    datetime(2025, 11, 17, 15, 0, tzinfo=UTC),
    datetime(2025, 10, 6, 15, 0, tzinfo=UTC),
    datetime(2025, 10, 20, 15, 0, tzinfo=UTC),
)
LAST_DAY = date(2025, 11, 17)


def sessions(*starts: datetime) -> tuple[Session, ...]:
    return tuple(
        Session(session_id=uuid4(), starts_at=s, ends_at=s + timedelta(hours=2)) for s in starts
    )


def an_offering(share: float = 1.0, starts: tuple[datetime, ...] = STARTS) -> OfferingDetails:
    base = offering_details(sessions=sessions(*starts)).model_dump()
    return OfferingDetails.model_validate(base | {"completion": {"min_attendance_share": share}})


def ids(offering: OfferingDetails) -> list[UUID]:
    return [s.session_id for s in offering.sessions if s.session_id is not None]


def record(offering: OfferingDetails, *attended: bool) -> dict[UUID, bool]:
    return dict(zip(ids(offering), attended, strict=False))


def test_nothing_follows_before_any_attendance_is_recorded() -> None:
    assert outcome(an_offering(), {}) is None


def test_nothing_follows_while_one_session_has_no_attendance() -> None:
    offering = an_offering()
    assert outcome(offering, record(offering, True, True)) is None


def test_attendance_for_other_sessions_does_not_count() -> None:
    offering = an_offering()
    attended = record(offering, True, True) | {uuid4(): True}
    assert outcome(offering, attended) is None


def test_an_offering_without_sessions_has_no_outcome() -> None:
    assert outcome(an_offering(starts=()), {uuid4(): True}) is None


def test_attending_every_session_completes_on_the_day_of_the_last_session() -> None:
    offering = an_offering()
    assert outcome(offering, record(offering, True, True, True)) == Outcome(True, 1.0, LAST_DAY)


def test_by_default_every_session_must_be_attended() -> None:
    offering = an_offering()
    assert outcome(offering, record(offering, True, False, True)) == Outcome(
        False, 0.6667, LAST_DAY
    )


@pytest.mark.parametrize(("share", "completed"), [(0.66, True), (0.67, False)])
def test_two_of_three_against_the_minimum_share(share: float, completed: bool) -> None:
    offering = an_offering(share)
    result = outcome(offering, record(offering, False, True, True))
    assert result == Outcome(completed, 0.6667, LAST_DAY)


def test_exactly_the_minimum_share_completes() -> None:
    offering = an_offering(0.5, starts=STARTS[:2])
    assert outcome(offering, record(offering, True, False)) == Outcome(
        True, 0.5, date(2025, 11, 17)
    )


def test_attending_nothing_is_recorded_as_a_share_of_zero() -> None:
    offering = an_offering(0.1)
    assert outcome(offering, record(offering, False, False, False)) == Outcome(False, 0.0, LAST_DAY)


def test_the_day_is_that_of_the_last_session_whatever_the_order() -> None:
    offering = an_offering(starts=(STARTS[1], STARTS[2]))
    result = outcome(offering, record(offering, True, True))
    assert result is not None
    assert result.on == date(2025, 10, 20)


def test_sessions_without_an_id_are_not_waited_for() -> None:
    with_id = sessions(STARTS[1])
    no_id = Session(starts_at=STARTS[2], ends_at=STARTS[2] + timedelta(hours=2))
    offering = offering_details(sessions=(*with_id, no_id))
    assert with_id[0].session_id is not None
    result = outcome(offering, {with_id[0].session_id: True})
    assert result is not None
    assert (result.completed, result.attended_share) == (True, 1.0)


def test_the_minimum_is_compared_with_the_exact_share_not_the_rounded_one() -> None:
    offering = an_offering(0.6667)
    result = outcome(offering, record(offering, True, True, False))
    assert result is not None
    assert result.completed is False


def taking_part(status: EnrollmentStatus) -> tuple[FakeEnrollmentDatabase, Enrollment, UUID]:
    """An enrollment in the given status in a three-session offering; and its first session."""
    db = FakeEnrollmentDatabase()
    offering = an_offering()
    db.store.offerings[offering.offering_id] = Offering(offering)
    e = Enrollment(uuid4(), offering.offering_id, uuid4(), status)
    db.store.enrollments[e.enrollment_id] = e
    return db, e, ids(offering)[0]


async def test_attendance_of_an_enrolled_person_is_recorded_for_the_session() -> None:
    db, e, session_id = taking_part(EnrollmentStatus.ENROLLED)
    after = await AttendanceCommands(db.begin).record_attendance(e.enrollment_id, session_id, False)
    assert after == e  # two sessions still to record: no outcome yet
    assert db.store.attendance == {e.enrollment_id: {session_id: False}}
    [event] = db.committed
    assert isinstance(event, AttendanceRecorded)
    assert (event.enrollment_id, event.session_id, event.attended) == (
        e.enrollment_id,
        session_id,
        False,
    )
    assert event.session_starts_at == STARTS[0]


@pytest.mark.parametrize(
    "status", [s for s in EnrollmentStatus if s is not EnrollmentStatus.ENROLLED]
)
async def test_attendance_is_recorded_for_enrolled_staff_only(status: EnrollmentStatus) -> None:
    db, e, session_id = taking_part(status)
    with pytest.raises(Conflict) as refused:
        await AttendanceCommands(db.begin).record_attendance(e.enrollment_id, session_id, True)
    assert refused.value.message == (
        f"attendance is recorded for enrolled staff; this enrollment is {status.value}"
    )
    assert (db.store.attendance, db.committed) == ({}, [])
    assert db.store.enrollments == {e.enrollment_id: e}


async def test_attendance_for_a_session_of_another_offering_is_refused() -> None:
    db, e, _ = taking_part(EnrollmentStatus.ENROLLED)
    elsewhere = ids(an_offering())[0]
    with pytest.raises(CommandRejected) as refused:
        await AttendanceCommands(db.begin).record_attendance(e.enrollment_id, elsewhere, True)
    assert type(refused.value) is CommandRejected  # the request's error (422), not a conflict
    assert refused.value.message == f"session_id: {elsewhere} is not a session of this offering"
    assert (db.store.attendance, db.committed) == ({}, [])
