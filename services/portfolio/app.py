"""The portfolio's composition root: the parts that make the service."""

from services.portfolio.api import router
from services.portfolio.api.policy import POLICY
from services.portfolio.handlers import SUBSCRIPTIONS
from services.portfolio.store import Store
from services.shared.definition import ServiceDefinition

ABOUT = "Each staff member's competence dossier and each school's audit history, built from events."
DEFINITION = ServiceDefinition(
    "portfolio",
    8003,
    ABOUT,
    Store,
    router,
    POLICY,
    SUBSCRIPTIONS,
    journal=Store.record,
    seals=True,
    max_request_bytes=8 << 20,  # an evidence file of 5 MiB, in base64, in JSON
)
PortfolioSettings = DEFINITION.settings
