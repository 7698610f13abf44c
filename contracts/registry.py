"""Which model a CloudEvents type names: every event of the three services, each listed
once, where it is defined (each module's EVENTS)."""

from contracts import catalogue, enrollment, portfolio, privacy
from contracts.event import Event

EVENT_TYPES: dict[str, type[Event]] = {
    model.ce_type: model
    for model in (*catalogue.EVENTS, *enrollment.EVENTS, *portfolio.EVENTS, *privacy.EVENTS)
}
READ_AS: dict[str, type[Event]] = {
    **{old: model for model in EVENT_TYPES.values() for old in model.replaces},
    **EVENT_TYPES,
}
"""Every type a consumer reads: the current ones, and earlier versions read as the current
(upcasting)."""


class UnknownEventType(LookupError):
    pass


def event_type_for(ce_type: str) -> type[Event]:
    """The model that reads events of `ce_type` (an earlier version: its current one)."""
    try:
        return READ_AS[ce_type]
    except KeyError:
        raise UnknownEventType(f"unknown event type {ce_type!r}") from None


def events_on(topic: str) -> list[type[Event]]:
    return [m for m in EVENT_TYPES.values() if m.topic == topic]
