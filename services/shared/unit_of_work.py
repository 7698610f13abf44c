"""The unit of work: the one transaction through which every command and every event
handler of a service writes.

It holds the service's store on the transaction's connection and collects the events the
use case decides. When the use case ends without an error, the events go into the outbox
and into the service's own journal (enrollment's history, the portfolio's journal), and
the transaction commits with the state change, the events and the inbox rows together.
It is the only way an event leaves a service, and the inbox (which events each consumer
has applied) is written only through it.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Generic, Protocol, TypeVar
from uuid import UUID

import asyncpg

from contracts import Envelope, Event
from services.shared import outbox
from services.shared.db import Connection
from services.shared.identity import employers
from services.shared.identity.directory import Directory
from services.shared.privacy.sealing import Sealer

S = TypeVar("S")
S_co = TypeVar("S_co", covariant=True)

Journal = Callable[[S, Sequence[Envelope[Event]]], Awaitable[None]]
"""A service's own record of the events it makes and applies, kept by its store in the
same transaction (enrollment's Store.add_history, the portfolio's Store.record)."""
Claim = Callable[[S, Sequence[Envelope[Event]]], Awaitable[set[UUID]]]
"""Records events a consumer applies where a repeat is dropped by its id (the portfolio's
journal, Store.claim); returns the ids not recorded before. Such a service keeps no inbox
rows: its journal's unique event id is what drops an event that comes twice."""


class UnitOfWork(Protocol[S_co]):
    """What a use case writes through: the service's store, and the events it decides."""

    @property
    def store(self) -> S_co:
        """The service's store, inside this unit's transaction."""
        ...

    def emit(self, events: Sequence[Event]) -> None:
        """Decide events: they leave the service when the unit of work commits."""
        ...

    def envelope(self, event: Event) -> Envelope[Event]:
        """The envelope (id, source, time) of an event this unit applies."""
        ...


Begin = Callable[[], AbstractAsyncContextManager[UnitOfWork[S_co]]]
"""Starts a unit of work: what command classes take, so that a fake can stand in."""


class Transaction(Generic[S]):
    """A unit of work on one PostgreSQL transaction."""

    def __init__(self, conn: Connection, store: S, by_journal: Claim[S] | None = None) -> None:
        self.conn = conn
        self._store = store
        self._by_journal = by_journal
        self._events: list[Event] = []
        self._applied: list[Envelope[Event]] = []
        self._envelopes: dict[int, Envelope[Event]] = {}
        """The envelopes applied, by their event's identity (what a handler is given)."""

    @property
    def store(self) -> S:
        return self._store

    def emit(self, events: Sequence[Event]) -> None:
        self._events.extend(events)

    async def claim(
        self, consumer: str, envelopes: Sequence[Envelope[Event]]
    ) -> list[Envelope[Event]]:
        """Record in the inbox that `consumer` applies these events, in one statement, or
        in the service's journal where it keeps one by id (Claim); returns the ones not
        applied before, in order: the caller skips the others. Inbox-claimed events go
        into the journal at commit."""
        if self._by_journal is not None:
            fresh = await self._by_journal(self._store, envelopes)
        else:
            rows = await self.conn.fetch(
                "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])"
                " ON CONFLICT DO NOTHING RETURNING event_id",
                consumer,
                [e.id for e in envelopes],
            )
            fresh = {r["event_id"] for r in rows}
        claimed = [e for e in envelopes if e.id in fresh]
        if self._by_journal is None:
            self._applied.extend(claimed)
        self._envelopes.update((id(e.data), e) for e in claimed)
        return claimed

    def envelope(self, event: Event) -> Envelope[Event]:
        """The envelope (id, source, time) of an event this unit applies."""
        envelope = self._envelopes.get(id(event))
        if envelope is None or envelope.data is not event:
            raise LookupError("not an event this unit of work applies")
        return envelope

    async def _flush(self, database: "Database[S]") -> None:
        events: Sequence[Event] = self._events
        if events and database.directory is not None:
            events = await employers.stamp(events, database.directory)
        emitted = (
            await outbox.put(self.conn, database.source, events, database.sealer) if events else []
        )
        journal = database.journal
        if journal is not None and (self._applied or emitted):
            await journal(self._store, [*self._applied, *emitted])


class Database(Generic[S]):
    """A service's database as its use cases see it: units of work to write through, and
    its store on a plain connection to read from."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        source: str,
        store: Callable[[Connection], S],
        journal: Journal[S] | None = None,
        sealer: Sealer | None = None,
        directory: Directory | None = None,
        claim: Claim[S] | None = None,
    ) -> None:
        self.pool = pool
        self.source = source
        self._store = store
        self.journal = journal
        self.claim = claim
        """Where consumers record what they apply, if not in the inbox."""
        self.sealer = sealer
        self.directory = directory
        """Names each event's `employer` as it leaves (none: they leave without)."""
        """Seals what people wrote as events leave, and opens it as they are applied; none:
        such events are refused on the way out and their texts stay sealed on the way in."""

    @asynccontextmanager
    async def transaction(self, *, wait: float | None = None) -> AsyncIterator[Transaction[S]]:
        """A unit of work: commits, with its events, when the block ends without error.
        `wait` bounds the wait for a pooled connection (a consumer's; a request waits)."""
        async with self.pool.acquire(timeout=wait) as conn, conn.transaction():
            unit = Transaction(conn, self._store(conn), self.claim)
            yield unit
            await unit._flush(self)

    async def opened(self, envelopes: Sequence[Envelope[Event]]) -> Sequence[Envelope[Event]]:
        """The envelopes with what people wrote opened, where this service holds the keys."""
        return envelopes if self.sealer is None else await self.sealer.open(envelopes)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[S]:
        """The store on a connection of its own, outside any transaction: for queries."""
        async with self.pool.acquire() as conn:
            yield self._store(conn)
