"""The catalogue's composition root: the parts that make the service."""

from services.catalogue.api import router
from services.catalogue.api.policy import POLICY
from services.catalogue.handlers import SUBSCRIPTIONS
from services.catalogue.store import Store
from services.shared.definition import ServiceDefinition

ABOUT = "Academies publish offerings and programmes and plan peer audits."
DEFINITION = ServiceDefinition("catalogue", 8001, ABOUT, Store, router, POLICY, SUBSCRIPTIONS)
CatalogueSettings = DEFINITION.settings
