"""Every event on the topics held against the services' own records of what they published
and applied.

Totals can hide a loss behind a double count; these checks go event by event: every event
a service put in its outbox is on the topics (none lost in the relay); each event a
consumer should apply (its topics, a type in its handler map) is in that consumer's inbox,
and nothing else is (the portfolio's consumers: in its journal, beside the events it made).
At most once is the inbox's key (consumer, event id), or the journal's event id, claimed in
the transaction of the effect; what would
show an effect applied twice despite it is the effects themselves: the catalogue's seats
per offering against the sum of the distinct seat events, here, and one portfolio entry per
enrollment, in the load's tally."""

import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from contracts import Envelope, Event
from contracts.envelope import EnvelopeError, decode
from contracts.topics import EVENT_TOPICS, dead_letter
from huisacademie.serve import SERVICES as DEFINITIONS
from services.catalogue.handlers import HANDLERS as SEAT_HANDLERS
from services.catalogue.handlers import SeatEvent, seats_moved
from tests.fault.load import Tally
from tests.support.kafka import read_all


@dataclass
class Topics:
    """The events on the event topics, each once, and how often each id was published."""

    events: dict[UUID, tuple[str, Envelope[Event]]] = field(default_factory=dict)
    copies: Counter[UUID] = field(default_factory=Counter)
    malformed: int = 0

    def of_type(self, *kinds: type[Event]) -> Counter[str]:
        found = (e.data for _, e in self.events.values())
        return Counter(type(event).__name__ for event in found if isinstance(event, kinds))


async def read_topics(bootstrap: str) -> Topics:
    """What a consumer would decode from every event topic; the rest is for dead letters."""
    read = Topics()
    every = await asyncio.gather(*(read_all(bootstrap, topic, within=60) for topic in EVENT_TOPICS))
    for topic, records in zip(EVENT_TOPICS, every, strict=True):
        for record in records:
            try:
                envelope = decode(record.headers, record.value)
            except EnvelopeError:
                read.malformed += 1
                continue
            read.events.setdefault(envelope.id, (topic, envelope))
            read.copies[envelope.id] += 1
    return read


async def check_ledgers(
    topics: Topics, database_urls: Mapping[str, str], tally: Tally
) -> Counter[str]:
    """Adds to the tally every event lost in a relay, lost by a consumer or held by one
    without cause; returns how many events each outbox and each consumer was checked for."""
    checked: Counter[str] = Counter()
    for service in DEFINITIONS.values():
        conn = await asyncpg.connect(database_urls[service.name])
        try:
            published = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM outbox")}
            # A service whose journal claims what its consumers apply (the portfolio) holds
            # each applied event there once, beside the events it made itself.
            journal = (
                {r["event_id"] for r in await conn.fetch("SELECT event_id FROM journal")}
                if service.claim is not None
                else None
            )
            every_wanted: set[UUID] = set()
            for subscription in service.subscriptions:
                wanted = {
                    event_id
                    for event_id, (topic, envelope) in topics.events.items()
                    if topic in subscription.topics and type(envelope.data) in subscription.handlers
                }
                every_wanted |= wanted
                if journal is None:
                    rows = await conn.fetch(
                        "SELECT event_id FROM inbox WHERE consumer = $1", subscription.group
                    )
                    held = {r["event_id"] for r in rows}
                    for event_id in held - wanted:
                        tally.extra(
                            1, f"{subscription.group} applied {event_id}, not on its topics"
                        )
                else:
                    held = journal
                checked[subscription.group] = len(wanted)
                for event_id in wanted - held:
                    tally.missing(
                        1, f"{subscription.group} never applied {_what(topics, event_id)}"
                    )
            if journal is not None:
                for event_id in journal - every_wanted - published:
                    tally.extra(1, f"{service.name}'s journal holds {event_id}, not its to apply")
            checked[f"{service.name} outbox"] = len(published)
            for event_id in published:
                if event_id not in topics.events:
                    tally.missing(1, f"{service.name} published {event_id}: not on a topic")
            if service.name == "catalogue":
                await _seats(conn, topics, tally)
        finally:
            await conn.close()
    return checked


async def _seats(conn: asyncpg.Connection, topics: Topics, tally: Tally) -> None:
    from_events: Counter[UUID] = Counter()
    for _, envelope in topics.events.values():
        event = envelope.data
        if type(event) in SEAT_HANDLERS:
            assert isinstance(event, SeatEvent)
            if (moved := seats_moved(event)) is not None:
                from_events[event.offering.offering_id] += moved
    rows = await conn.fetch("SELECT offering_id, taken FROM seats")
    taken = {r["offering_id"]: r["taken"] for r in rows}
    for offering in from_events.keys() | taken.keys():
        got = taken.get(offering, 0)
        tally.compare(got, from_events[offering], f"catalogue seats of {offering} (by its events)")


def _what(topics: Topics, event_id: UUID) -> str:
    _, envelope = topics.events[event_id]
    return f"{type(envelope.data).__name__} {event_id}"


async def dead_letters(bootstrap: str) -> list[dict[str, str]]:
    """The headers of every record in the dead-letter topics."""
    every = await asyncio.gather(
        *(read_all(bootstrap, dead_letter(topic), within=60) for topic in EVENT_TOPICS)
    )
    return [
        {k: (v or b"").decode(errors="replace") for k, v in record.headers}
        for records in every
        for record in records
    ]
