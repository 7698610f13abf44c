"""Requests about one offering decided together: while one group is being decided, the
requests that arrive queue up and become the next group. A group costs one transaction,
one lock of the offering and one commit however many requests it holds, where alone each
request would pay for all three while the others wait for the lock.

In-process only: across processes the offering's row lock still serialises the groups."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

R = TypeVar("R")  # a request
A = TypeVar("A")  # its answer


class Desk(Generic[R, A]):
    def __init__(
        self,
        decide: Callable[[Hashable, Sequence[R]], Awaitable[Sequence[A | Exception]]],
        alone: Callable[[Hashable, R], Awaitable[A]],
        *,
        most: int = 100,
    ) -> None:
        """`decide` answers a group in order, an exception for a request it refuses (the
        others still go ahead); when it raises, the group's requests are decided one by
        one with `alone`, each getting its own answer or error."""
        self._decide = decide
        self._alone = alone
        self._most = most
        self._waiting: dict[Hashable, list[tuple[R, asyncio.Future[A]]]] = {}
        self._deciding: dict[Hashable, asyncio.Task[None]] = {}

    async def submit(self, about: Hashable, request: R) -> A:
        answer: asyncio.Future[A] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(about, []).append((request, answer))
        if about not in self._deciding:
            self._deciding[about] = asyncio.create_task(self._work(about))
        return await answer

    async def _work(self, about: Hashable) -> None:
        try:
            while queue := self._waiting.pop(about, None):
                group, rest = queue[: self._most], queue[self._most :]
                if rest:
                    self._waiting[about] = rest
                await self._answer(about, group)
        finally:
            del self._deciding[about]
            for _, future in self._waiting.pop(about, []):  # only when cancelled: stopping
                future.cancel()

    async def _answer(self, about: Hashable, group: list[tuple[R, asyncio.Future[A]]]) -> None:
        try:
            # A caller that went away before its group is decided is not decided at all.
            group = [(request, future) for request, future in group if not future.done()]
            if not group:
                return
            try:
                answers = await self._decide(about, [request for request, _ in group])
            except Exception:
                for request, future in group:  # one by one, still in order of arrival
                    await self._one(about, request, future)
                return
            for (_, future), answer in zip(group, answers, strict=True):
                _settle(future, answer)
        finally:
            for _, future in group:  # only when cancelled (stopping): none waits for ever
                future.cancel()

    async def _one(self, about: Hashable, request: R, future: asyncio.Future[A]) -> None:
        try:
            _settle(future, await self._alone(about, request))
        except Exception as e:
            _settle(future, e)


def _settle(future: asyncio.Future[A], answer: A | Exception) -> None:
    if future.done():  # the caller went away
        return
    if isinstance(answer, Exception):
        future.set_exception(answer)
    else:
        future.set_result(answer)
