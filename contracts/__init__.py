"""The public contract between huisacademie's services and external subscribers.

Events are frozen pydantic models, defined per producing service (contracts.catalogue,
contracts.enrollment, contracts.portfolio); the CloudEvents attributes travel in Kafka
headers (binary content mode) and the event's data is the JSON body.
"""

from contracts.envelope import Envelope, EnvelopeError, decode
from contracts.event import Event
from contracts.registry import EVENT_TYPES, UnknownEventType, event_type_for

__all__ = [
    "EVENT_TYPES",
    "Envelope",
    "EnvelopeError",
    "Event",
    "UnknownEventType",
    "decode",
    "event_type_for",
]
