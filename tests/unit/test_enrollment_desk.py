"""The desk: requests about one thing that arrive together are decided together."""

import asyncio
from collections.abc import Hashable, Sequence

import pytest

from services.enrollment.commands.desk import Desk

pytestmark = pytest.mark.unit


class Refused(Exception):
    pass


class Clerk:
    """Decides groups slowly enough for the next requests to queue up behind them."""

    def __init__(self, *, failing_groups: int = 0) -> None:
        self.groups: list[tuple[Hashable, list[int]]] = []
        self.alone: list[int] = []
        self._failing_groups = failing_groups

    async def decide(self, about: Hashable, requests: Sequence[int]) -> list[str | Exception]:
        self.groups.append((about, list(requests)))
        await asyncio.sleep(0.01)
        if self._failing_groups:
            self._failing_groups -= 1
            raise ConnectionError("the database went away")
        return [Refused(f"odd {n}") if n % 2 else f"{about}:{n}" for n in requests]

    async def one(self, about: Hashable, request: int) -> str:
        self.alone.append(request)
        if request == 3:
            raise Refused("three alone")
        return f"{about}:{n}" if (n := request) else "zero"


async def test_requests_that_arrive_while_a_group_is_decided_form_the_next_group() -> None:
    clerk = Clerk()
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one)
    first = asyncio.create_task(desk.submit("a", 2))
    await asyncio.sleep(0.001)  # its group is being decided
    later = [asyncio.create_task(desk.submit("a", n)) for n in (4, 6, 8)]
    assert await asyncio.gather(first, *later) == ["a:2", "a:4", "a:6", "a:8"]
    assert clerk.groups == [("a", [2]), ("a", [4, 6, 8])]


async def test_each_request_gets_its_own_answer_or_its_own_refusal() -> None:
    clerk = Clerk()
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one)
    answers = await asyncio.gather(*(desk.submit("a", n) for n in range(5)), return_exceptions=True)
    assert answers[0] == "a:0" and answers[2] == "a:2" and answers[4] == "a:4"
    assert [str(a) for a in answers if isinstance(a, Refused)] == ["odd 1", "odd 3"]
    assert clerk.alone == []


async def test_groups_about_different_things_are_decided_apart() -> None:
    clerk = Clerk()
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one)
    answers = await asyncio.gather(desk.submit("a", 2), desk.submit("b", 4), desk.submit("a", 6))
    assert list(answers) == ["a:2", "b:4", "a:6"]
    assert sorted(clerk.groups) == [("a", [2, 6]), ("b", [4])]


async def test_a_group_that_fails_is_decided_request_by_request() -> None:
    clerk = Clerk(failing_groups=1)
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one)
    answers = await asyncio.gather(desk.submit("a", 0), desk.submit("a", 3), return_exceptions=True)
    assert answers[0] == "zero"
    assert isinstance(answers[1], Refused) and str(answers[1]) == "three alone"
    assert clerk.alone == [0, 3]  # one by one, in order of arrival


async def test_a_group_holds_at_most_so_many_requests() -> None:
    clerk = Clerk()
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one, most=2)
    await asyncio.gather(*(desk.submit("a", n) for n in (2, 4, 6, 8, 10)))
    assert [requests for _, requests in clerk.groups] == [[2, 4], [6, 8], [10]]


async def test_the_desk_forgets_a_thing_once_its_requests_are_answered() -> None:
    clerk = Clerk()
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one)
    assert await desk.submit("a", 2) == "a:2"
    assert desk._waiting == {} and desk._deciding == {}
    with pytest.raises(Refused):
        await desk.submit("a", 1)
    assert desk._waiting == {} and desk._deciding == {}


async def test_a_caller_that_went_away_is_not_decided() -> None:
    clerk = Clerk()
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one)
    first = asyncio.create_task(desk.submit("a", 2))
    await asyncio.sleep(0.001)  # its group is being decided
    gone = asyncio.create_task(desk.submit("a", 4))
    staying = asyncio.create_task(desk.submit("a", 6))
    await asyncio.sleep(0)
    gone.cancel()
    assert await first == "a:2" and await staying == "a:6"
    assert clerk.groups == [("a", [2]), ("a", [6])]


async def test_stopping_the_desk_leaves_nobody_waiting() -> None:
    clerk = Clerk()
    desk: Desk[int, str] = Desk(clerk.decide, clerk.one, most=1)
    callers = [asyncio.create_task(desk.submit("a", n)) for n in (2, 4, 6)]
    await asyncio.sleep(0.001)  # the first group is being decided, two wait
    desk._deciding["a"].cancel()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert desk._waiting == {} and desk._deciding == {}
