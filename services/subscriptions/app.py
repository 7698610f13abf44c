"""The subscriptions service's composition root."""

from services.shared.definition import Job, ServiceDefinition
from services.subscriptions.api import router
from services.subscriptions.api.policy import POLICY
from services.subscriptions.deliveries import deliver, upkeep
from services.subscriptions.handlers import SUBSCRIPTIONS
from services.subscriptions.store import Store

ABOUT = (
    "External tools' subscriptions to the events: signed webhooks (Standard Webhooks,"
    " CloudEvents) and xAPI statements to a learning record store, in order per person."
)
DEFINITION = ServiceDefinition(
    "subscriptions",
    8004,
    ABOUT,
    Store,
    router,
    POLICY,
    SUBSCRIPTIONS,
    jobs=(
        Job("deliveries", deliver, lambda _: 1.0),
        Job("upkeep", upkeep, lambda _: 30.0),
    ),
)
SubscriptionsSettings = DEFINITION.settings
