"""Catalogue: an offering's times and sessions at their edges (odd offsets in use, the
first and last years allowed), the ids new sessions get, and the exact messages an academy
reads when an offering is refused."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from contracts.values import OfferingDetails, Session
from services.catalogue.domain.offerings import (
    identify_sessions,
    publish,
    update,
    withdraw,
)
from services.shared.errors import CommandRejected, Conflict
from tests.support.factories import offering_details, session

pytestmark = pytest.mark.unit

NEPAL = timezone(timedelta(hours=5, minutes=45))
START = datetime(2025, 9, 10, 14, 0, tzinfo=UTC)
ID_1 = UUID("00000000-0000-4000-8000-000000000001")
ID_2 = UUID("00000000-0000-4000-8000-000000000002")
ID_3 = UUID("00000000-0000-4000-8000-000000000003")


def without_id(starts_at: datetime) -> Session:
    return Session(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))


def with_extra(**extra: object) -> OfferingDetails:
    return OfferingDetails.model_validate(offering_details().model_dump() | extra)


def refusal(details: OfferingDetails) -> str:
    with pytest.raises(CommandRejected) as refused:
        publish(details)
    return refused.value.message


def test_an_offset_of_an_odd_number_of_minutes_is_one_in_use() -> None:
    nepal = datetime(2025, 9, 10, 18, 45, tzinfo=NEPAL)
    offering, _ = publish(offering_details(sessions=(session(nepal),)))
    assert offering.details.sessions[0].starts_at == nepal


def test_the_first_and_the_last_year_allowed_are_allowed() -> None:
    first = datetime(1900, 1, 1, 12, 0, tzinfo=UTC)
    last = datetime(9000, 12, 31, 8, 0, tzinfo=UTC)
    offering, _ = publish(offering_details(sessions=(session(last), session(first))))
    assert [s.starts_at for s in offering.details.sessions] == [first, last]


def test_a_session_ending_at_an_offset_not_in_use_is_refused_by_name() -> None:
    ends = datetime(2025, 9, 10, 16, 0, tzinfo=timezone(timedelta(hours=14, minutes=30)))
    bad = Session(starts_at=START, ends_at=ends)
    assert refusal(offering_details(sessions=(bad,))) == (
        "sessions[0].ends_at: the UTC offset must be whole minutes between -14:00 and +14:00,"
        " got 2025-09-10T16:00:00+14:30"
    )


def test_a_window_opening_at_an_offset_not_in_use_is_refused_by_name() -> None:
    opens = datetime(2025, 8, 1, 8, 0, tzinfo=timezone(timedelta(hours=15)))
    assert refusal(with_extra(enrolment_opens=opens)) == (
        "enrolment_opens: the UTC offset must be whole minutes between -14:00 and +14:00,"
        " got 2025-08-01T08:00:00+15:00"
    )


def test_a_window_that_closes_as_it_opens_is_refused() -> None:
    at = datetime(2025, 8, 1, 8, 0, tzinfo=UTC)
    assert refusal(with_extra(enrolment_opens=at, enrolment_closes=at)) == (
        "enrolment_opens must be before enrolment_closes"
    )


def test_session_ids_given_twice_are_listed_in_order() -> None:
    twice = [
        Session(session_id=i, starts_at=START, ends_at=START + timedelta(hours=1))
        for i in (ID_2, ID_1, ID_2, ID_1)
    ]
    with pytest.raises(CommandRejected) as refused:
        identify_sessions(tuple(twice))
    assert refused.value.message == f"sessions: session_id given more than once: {ID_1}, {ID_2}"


def test_session_ids_not_of_the_offering_are_listed_with_the_way_out() -> None:
    strangers = tuple(
        Session(session_id=i, starts_at=START, ends_at=START + timedelta(hours=1))
        for i in (ID_2, ID_1)
    )
    with pytest.raises(CommandRejected) as refused:
        identify_sessions(strangers, known={ID_3})
    assert refused.value.message == (
        f"sessions: not a session of this offering: {ID_2}, {ID_1};"
        " leave session_id out for a new session"
    )


def test_publish_gives_new_sessions_the_ids_it_is_handed() -> None:
    handed = iter([ID_1, ID_2])
    offering, _ = publish(
        offering_details(sessions=(without_id(START), without_id(START + timedelta(days=7)))),
        new_id=lambda: next(handed),
    )
    assert [s.session_id for s in offering.details.sessions] == [ID_1, ID_2]


def test_an_update_gives_a_new_session_the_id_it_is_handed() -> None:
    offering, _ = publish(offering_details())
    kept = offering.details.sessions
    later = without_id(START + timedelta(days=28))
    updated, _ = update(offering, {"sessions": (*kept, later)}, new_id=lambda: ID_3)
    assert [s.session_id for s in updated.details.sessions] == [
        *(s.session_id for s in kept),
        ID_3,
    ]


def test_fields_the_catalogue_sets_are_named_together_in_order() -> None:
    offering, _ = publish(offering_details())
    with pytest.raises(CommandRejected) as refused:
        update(offering, {"version": 7, "academy_id": ID_1, "title": "Lezen"})
    assert refused.value.message == "academy_id, version: set by the catalogue, not changeable"


def test_a_withdrawn_offering_says_it_can_no_longer_change() -> None:
    withdrawn, _ = withdraw(publish(offering_details())[0], "no teacher")
    with pytest.raises(Conflict) as changing:
        update(withdrawn, {"title": "Lezen"})
    with pytest.raises(Conflict) as again:
        withdraw(withdrawn, "still no teacher")
    assert changing.value.message == "the offering was withdrawn and can no longer be changed"
    assert again.value.message == "the offering was already withdrawn"
