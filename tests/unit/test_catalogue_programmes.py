"""Catalogue: programmes, ordered paths of one academy's published offerings."""

from uuid import UUID, uuid4

import pytest

from services.catalogue.domain.offerings import Offering, OfferingStatus, publish, withdraw
from services.catalogue.domain.programmes import Programme, offer
from services.shared.errors import CommandRejected, NotFound
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

ACADEMY = uuid4()


def offerings(n: int, academy_id: UUID = ACADEMY) -> dict[UUID, Offering]:
    made = (publish(offering_details(academy_id=academy_id))[0] for _ in range(n))
    return {o.details.offering_id: o for o in made}


def programme(ids: tuple[UUID, ...]) -> Programme:
    return Programme(uuid4(), ACADEMY, "Beginning teachers' path", ids)


def test_a_programme_keeps_the_order_given() -> None:
    found = offerings(3)
    ids = tuple(reversed(list(found)))
    p = programme(ids)
    event = offer(p, found)
    assert event.offering_ids == ids
    assert (event.programme_id, event.academy_id, event.title) == (
        p.programme_id,
        ACADEMY,
        "Beginning teachers' path",
    )
    assert event.key() == str(p.programme_id)
    assert event.topic == "catalogue.programmes"


def test_an_unknown_offering_is_not_found_by_id() -> None:
    found = offerings(1)
    missing = uuid4()
    with pytest.raises(NotFound, match=f"no offering {missing}"):
        offer(programme((*found, missing)), found)


def test_an_offering_of_another_academy_is_rejected_by_id() -> None:
    own, other = offerings(1), offerings(1, academy_id=uuid4())
    [foreign] = other
    with pytest.raises(CommandRejected, match=f"not published by academy {ACADEMY}: {foreign}"):
        offer(programme((*own, foreign)), {**own, **other})


def test_a_withdrawn_offering_is_rejected_by_id() -> None:
    found = offerings(2)
    first, second = found
    gone, _ = withdraw(found[second], "")
    assert gone.status is OfferingStatus.WITHDRAWN
    with pytest.raises(CommandRejected, match=f"withdrawn: {second}"):
        offer(programme((first, second)), {**found, second: gone})


@pytest.mark.parametrize("count", [0, 51])
def test_a_programme_has_one_to_fifty_offerings(count: int) -> None:
    found = offerings(count)
    with pytest.raises(CommandRejected, match=f"between 1 and 50 offerings, got {count}"):
        offer(programme(tuple(found)), found)


def test_an_offering_may_appear_once() -> None:
    found = offerings(2)
    first, second = found
    with pytest.raises(CommandRejected, match=f"more than once: {first}"):
        offer(programme((first, second, first)), found)


# At the edges (one offering, fifty), and the exact messages an academy reads when several
# offerings are wrong at once.
def refusal(ids: tuple[UUID, ...], found: dict[UUID, Offering]) -> str:
    with pytest.raises(CommandRejected) as refused:
        offer(programme(ids), found)
    return refused.value.message


@pytest.mark.parametrize("count", [1, 50])
def test_a_programme_of_one_or_of_fifty_offerings_is_offered(count: int) -> None:
    found = offerings(count)
    assert offer(programme(tuple(found)), found).offering_ids == tuple(found)


def test_offerings_listed_twice_are_named_once_each_in_order() -> None:
    found = offerings(3)
    a, b, c = sorted(found, key=str)
    assert refusal((b, c, a, b, a), found) == f"offering_ids: listed more than once: {a}, {b}"


def test_every_missing_offering_is_named() -> None:
    found = offerings(1)
    gone, lost = uuid4(), uuid4()
    assert refusal((*found, gone, lost), found) == f"offering_ids: no offering {gone}, {lost}"


def test_every_offering_of_another_academy_is_named() -> None:
    own, other = offerings(1), offerings(2, academy_id=uuid4())
    first, second = other
    assert refusal((*own, first, second), {**own, **other}) == (
        f"offering_ids: not published by academy {ACADEMY}: {first}, {second}"
    )


def test_every_withdrawn_offering_is_named() -> None:
    found = offerings(3)
    kept, first, second = found
    gone = {i: withdraw(found[i], "")[0] for i in (first, second)}
    assert refusal((kept, first, second), {**found, **gone}) == (
        f"offering_ids: withdrawn: {first}, {second}"
    )
