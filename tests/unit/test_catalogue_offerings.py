"""Catalogue: publishing, updating and withdrawing offerings."""

from datetime import UTC, datetime, timedelta
from typing import Unpack

import pytest

from services.catalogue.domain import (
    Offering,
    OfferingStatus,
    publish,
    update,
    withdraw,
)
from services.shared.errors import CommandRejected, Conflict
from tests.support.factories import DetailsFields, offering_details, session

pytestmark = pytest.mark.unit

START = datetime(2025, 9, 10, 14, 0, tzinfo=UTC)


def published(**overrides: Unpack[DetailsFields]) -> Offering:
    offering, _ = publish(offering_details(**overrides))
    return offering


def test_publish_announces_the_offering_as_given() -> None:
    d = offering_details()
    offering, event = publish(d)
    assert offering.status is OfferingStatus.PUBLISHED
    assert offering.details == d
    assert event.offering == d
    assert event.key() == str(d.offering_id)


@pytest.mark.parametrize("length", [timedelta(0), timedelta(minutes=-30)])
def test_a_session_must_end_after_it_starts(length: timedelta) -> None:
    d = offering_details(sessions=(session(START), session(START + timedelta(days=7), length)))
    with pytest.raises(CommandRejected, match=r"sessions\[1\]: ends_at must be after starts_at"):
        publish(d)


def test_an_update_that_changes_nothing_emits_no_event() -> None:
    offering = published()
    same = {"title": offering.details.title, "capacity": offering.details.capacity}
    after, event = update(offering, same)
    assert event is None
    assert after == offering


def test_an_update_lists_exactly_the_fields_that_changed() -> None:
    offering = published(capacity=16, study_hours=10.0)
    changes = {"title": offering.details.title, "capacity": 24, "study_hours": 12.0}
    after, event = update(offering, changes)
    assert event is not None
    assert event.changed == ("capacity", "study_hours")
    assert (after.details.capacity, after.details.study_hours) == (24, 12.0)
    assert after.details.title == offering.details.title
    assert event.offering == after.details
    assert event.key() == str(offering.details.offering_id)


def test_an_update_may_not_introduce_a_backwards_session() -> None:
    offering = published()
    with pytest.raises(CommandRejected, match="ends_at must be after starts_at"):
        update(offering, {"sessions": (session(START, length=timedelta(hours=-1)),)})


def test_updating_a_withdrawn_offering_is_a_conflict() -> None:
    withdrawn, _ = withdraw(published(), "too few sign-ups")
    with pytest.raises(Conflict, match="withdrawn"):
        update(withdrawn, {"capacity": 30})


def test_withdraw_marks_the_offering_and_says_why() -> None:
    offering = published()
    withdrawn, event = withdraw(offering, "trainer ill")
    assert withdrawn.status is OfferingStatus.WITHDRAWN
    assert event.offering_id == offering.details.offering_id
    assert event.academy_id == offering.details.academy_id
    assert event.reason == "trainer ill"
    assert event.key() == str(offering.details.offering_id)


def test_withdrawing_twice_is_a_conflict() -> None:
    withdrawn, _ = withdraw(published(), "")
    with pytest.raises(Conflict, match="already withdrawn"):
        withdraw(withdrawn, "")
