"""The one consumer: every event of every topic kept, with whose it is, and queued for each
subscription it reaches, in the consumer's unit of work (with the event's inbox row: none
is queued twice, none lost). An erasure also marks the person's events as no longer to be
replayed, and names for a learning record store the statements it voids."""

from collections.abc import Sequence

from contracts import Event, topics
from contracts.privacy import PersonErased
from contracts.registry import EVENT_TYPES
from services.shared.consumer import Handlers
from services.shared.definition import Subscription
from services.shared.unit_of_work import UnitOfWork
from services.subscriptions.domain import ownership
from services.subscriptions.domain.statements import about
from services.subscriptions.store import EventStore, Store
from services.subscriptions.store.events import Read


async def fan_out(unit: UnitOfWork[Store], events: Sequence[Event]) -> None:
    store = EventStore(unit.store.conn)
    await store.share_history()
    for event in events:
        found = ownership.owner(event)
        owner = await store.owner_of(found) if isinstance(found, tuple) else found
        await store.learn(ownership.taught(event))
        seq = await store.fan_out(Read(unit.envelope(event), owner, about(event)))
        if isinstance(event, PersonErased) and seq is not None:
            await store.erase(event.staff_id, seq, event.key())


HANDLERS: Handlers = {model: fan_out for model in EVENT_TYPES.values()}
SUBSCRIPTIONS = (Subscription("subscriptions.events", topics.EVENT_TOPICS, HANDLERS),)
