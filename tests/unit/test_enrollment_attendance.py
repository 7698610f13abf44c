"""Enrollment: completion that follows from attendance, by the offering's criteria."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.values import OfferingDetails, Session
from services.enrollment.domain.attendance import Outcome, outcome
from tests.support.factories import offering_details

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
