"""The subscriptions service's rows: subscriptions and their secrets, the events read, the
deliveries and their attempts."""

from services.subscriptions.store.deliveries import DeliveryStore
from services.subscriptions.store.events import EventStore
from services.subscriptions.store.subscriptions import Store

__all__ = ["DeliveryStore", "EventStore", "Store"]
