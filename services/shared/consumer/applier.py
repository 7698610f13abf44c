"""Applying events once: the inbox rows (or the journal's), the handlers' effects, the
events they decide and the consumer's stored offsets, in one unit of work. The live
consumer and the portfolio's rebuild both apply through it."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from contracts import Envelope, Event
from services.shared.consumer import offsets
from services.shared.consumer.offsets import Move
from services.shared.metrics import EVENTS
from services.shared.unit_of_work import Database, UnitOfWork

Handler = Callable[[UnitOfWork[Any], Sequence[Any]], Awaitable[object]]
"""Applies a run of events of the types it is mapped to, in order, through the unit of
work; a single event is a run of one."""
Handlers = Mapping[type[Event], Handler]
"""A service's handler map: which handler applies each type of event it consumes."""


async def handle(unit: UnitOfWork[Any], handlers: Handlers, events: Sequence[Event]) -> None:
    """Each event by its handler, in order; a run of events that share a handler goes to it
    at once. Events of no interest are passed over."""
    runs: list[tuple[Handler, list[Event]]] = []
    for event in events:
        handler = handlers.get(type(event))
        if handler is None:
            continue
        if runs and runs[-1][0] is handler:
            runs[-1][1].append(event)
        else:
            runs.append((handler, [event]))
    for handler, run in runs:
        await handler(unit, run)


class Applier:
    """Applies events for one consumer (its name keys the inbox), each once, in order."""

    def __init__(self, consumer: str, database: Database[Any], handlers: Handlers) -> None:
        self.consumer = consumer
        self._database = database
        self._handlers = handlers

    def wants(self, event: Event) -> bool:
        return type(event) in self._handlers

    async def apply_all(
        self, envelopes: Sequence[Envelope[Event]], moves: Sequence[Move] = ()
    ) -> int:
        """Apply events in one transaction, each once, in order, and move the consumer's
        stored offsets past them (offsets.advance: Overtaken when another consumer moved
        them first); returns how many were applied (not duplicates, not of interest)."""
        wanted: dict[object, Envelope[Event]] = {}
        for envelope in envelopes:
            if self.wants(envelope.data):
                wanted.setdefault(envelope.id, envelope)
        if len(envelopes) > len(wanted):
            EVENTS.labels(self.consumer, "ignored").inc(len(envelopes) - len(wanted))
        if not wanted and not moves:
            return 0
        opened = await self._database.opened(list(wanted.values())) if wanted else []
        async with self._database.transaction(wait=10) as unit:
            await offsets.advance(unit.conn, self.consumer, moves)
            applied = await unit.claim(self.consumer, opened) if opened else []
            await handle(unit, self._handlers, [e.data for e in applied])
        EVENTS.labels(self.consumer, "applied").inc(len(applied))
        EVENTS.labels(self.consumer, "duplicate").inc(len(wanted) - len(applied))
        return len(applied)

    async def apply(self, envelope: Envelope[Event]) -> bool:
        """Apply an event once; returns False when it was a duplicate or of no interest."""
        return await self.apply_all([envelope]) == 1
