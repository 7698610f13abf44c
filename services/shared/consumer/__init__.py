"""Kafka consumers in three parts: the applier (each event's effect, its inbox row and the
events it leads to in one unit of work), the retry policy (what a failure leads to), and
the adapter to FastStream and aiokafka (batches, offsets, dead letters)."""

from services.shared.consumer.adapter import EventConsumer
from services.shared.consumer.applier import Applier, Handler, Handlers, handle

__all__ = ["Applier", "EventConsumer", "Handler", "Handlers", "handle"]
