"""Catalogue: programmes at their edges (one offering, fifty) and the exact messages an
academy reads when several offerings are wrong at once."""

from uuid import UUID, uuid4

import pytest

from services.catalogue.domain.offerings import Offering, publish, withdraw
from services.catalogue.domain.programmes import Programme, offer
from services.shared.errors import CommandRejected
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

ACADEMY = uuid4()


def offerings(n: int, academy_id: UUID = ACADEMY) -> dict[UUID, Offering]:
    made = (publish(offering_details(academy_id=academy_id))[0] for _ in range(n))
    return {o.details.offering_id: o for o in made}


def programme(ids: tuple[UUID, ...]) -> Programme:
    return Programme(uuid4(), ACADEMY, "Beginning teachers' path", ids)


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
