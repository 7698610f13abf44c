"""The portfolio's composition root: the parts that make the service."""

from services.portfolio.api import router
from services.portfolio.handlers import SUBSCRIPTIONS
from services.portfolio.store import Store
from services.shared.definition import ServiceDefinition

ABOUT = "Each staff member's competence dossier and each school's audit history, built from events."
DEFINITION = ServiceDefinition(
    "portfolio", 8003, ABOUT, Store, router, SUBSCRIPTIONS, journal=Store.record
)
PortfolioSettings = DEFINITION.settings
