"""Catalogue: publishing, updating and withdrawing offerings."""

from datetime import UTC, datetime, timedelta
from typing import Unpack
from uuid import UUID, uuid4

import pytest

from contracts.values import Session
from services.catalogue.domain.offerings import (
    Offering,
    OfferingStatus,
    OfferingView,
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


def new_session(starts_at: datetime) -> Session:
    """A session as a client sends a new one: without an id."""
    return session(starts_at).model_copy(update={"session_id": None})


def test_publish_announces_the_offering_as_given() -> None:
    d = offering_details()
    offering, event = publish(d)
    assert offering.status is OfferingStatus.PUBLISHED
    assert offering.details == d
    assert event.offering == d
    assert event.key() == str(d.offering_id)


def test_publish_gives_each_new_session_an_id_at_version_1() -> None:
    d = offering_details(sessions=(new_session(START), new_session(START + timedelta(days=7))))
    offering, event = publish(d)
    ids = [s.session_id for s in offering.details.sessions]
    assert all(isinstance(i, UUID) for i in ids)
    assert len(set(ids)) == 2
    without_ids = tuple(
        s.model_copy(update={"session_id": None}) for s in offering.details.sessions
    )
    assert offering.details.model_copy(update={"sessions": without_ids}) == d
    assert offering.details.version == 1
    assert event.offering == offering.details


def test_publish_keeps_a_given_session_id_and_sorts_by_start() -> None:
    given = uuid4()
    later = session(START + timedelta(days=7)).model_copy(update={"session_id": given})
    offering, _ = publish(offering_details(sessions=(later, new_session(START))))
    first, second = offering.details.sessions
    assert (first.starts_at, second.starts_at) == (START, START + timedelta(days=7))
    assert second.session_id == given
    assert first.session_id not in (None, given)


def test_publish_starts_at_version_1_whatever_was_given() -> None:
    offering, event = publish(offering_details().model_copy(update={"version": 7}))
    assert offering.details.version == event.offering.version == 1


def test_duplicate_session_ids_are_rejected_by_id() -> None:
    twice = uuid4()
    sessions = tuple(
        session(START + timedelta(days=d)).model_copy(update={"session_id": twice}) for d in (0, 7)
    )
    with pytest.raises(CommandRejected, match=f"more than once: {twice}") as err:
        publish(offering_details(sessions=sessions))
    assert type(err.value) is CommandRejected


def test_an_update_keeps_known_session_ids_and_gives_new_sessions_an_id() -> None:
    offering = published()
    kept, dropped = offering.details.sessions
    moved = kept.model_copy(update={"location": "Room 2"})
    new = new_session(START + timedelta(days=30))
    after, event = update(offering, {"sessions": (new, moved)})
    assert event is not None and event.changed == ("sessions",)
    first, second = after.details.sessions
    assert first == moved
    assert second.starts_at == new.starts_at
    assert second.session_id not in (None, kept.session_id, dropped.session_id)
    assert event.offering.sessions == after.details.sessions


def test_an_update_naming_an_unknown_session_id_is_rejected_by_id() -> None:
    stranger = session(START).model_copy(update={"session_id": uuid4()})
    with pytest.raises(
        CommandRejected, match=f"not a session of this offering: {stranger.session_id}"
    ):
        update(published(), {"sessions": (stranger,)})


def test_each_update_that_changes_something_raises_the_version_by_one() -> None:
    offering = published(capacity=10)
    second, event = update(offering, {"capacity": 12})
    assert event is not None
    assert (second.details.version, event.offering.version) == (2, 2)
    unchanged, nothing = update(second, {"capacity": 12})
    assert nothing is None and unchanged.details.version == 2
    third, _ = update(second, {"title": "Another title"})
    assert third.details.version == 3


@pytest.mark.parametrize("field", ["version", "offering_id", "academy_id", "board_id"])
def test_fields_the_catalogue_sets_cannot_be_changed(field: str) -> None:
    offering = published()
    with pytest.raises(CommandRejected, match=f"{field}: set by the catalogue"):
        update(offering, {field: getattr(offering.details, field)})


@pytest.mark.parametrize("closes_after", [timedelta(0), timedelta(hours=-1)])
def test_the_enrollment_window_must_open_before_it_closes(closes_after: timedelta) -> None:
    d = offering_details().model_copy(
        update={"enrolment_opens": START, "enrolment_closes": START + closes_after}
    )
    with pytest.raises(CommandRejected, match="enrolment_opens must be before enrolment_closes"):
        publish(d)


def test_an_update_may_not_move_the_window_close_before_its_opening() -> None:
    offering = published()
    opened, _ = update(
        offering, {"enrolment_opens": START, "enrolment_closes": START + timedelta(days=5)}
    )
    assert (opened.details.enrolment_opens, opened.details.version) == (START, 2)
    with pytest.raises(CommandRejected, match="enrolment_opens must be before"):
        update(opened, {"enrolment_closes": START - timedelta(days=1)})
    open_ended, event = update(opened, {"enrolment_closes": None})
    assert event is not None and event.changed == ("enrolment_closes",)
    assert open_ended.details.enrolment_closes is None


@pytest.mark.parametrize(
    ("capacity", "taken", "free"), [(None, 40, None), (16, 0, 16), (16, 15, 1), (10, 12, 0)]
)
def test_seats_free_is_capacity_less_taken_never_negative(
    capacity: int | None, taken: int, free: int | None
) -> None:
    assert OfferingView(published(capacity=capacity), seats_taken=taken).seats_free == free


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
