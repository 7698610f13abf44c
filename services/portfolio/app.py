"""The portfolio's composition root: the parts that make the service."""

from services.portfolio.api import router
from services.portfolio.api.policy import POLICY
from services.portfolio.commands import Erasure, erase_what_is_due
from services.portfolio.handlers import SUBSCRIPTIONS
from services.portfolio.store import Store
from services.shared.definition import Job, ServiceDefinition
from services.shared.identity.directory import Directory
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Database


async def _retention(database: Database[Store], directory: Directory, s: ServiceSettings) -> int:
    return await erase_what_is_due(
        Erasure(database, directory), database, directory, s.retention_after_leaving_days
    )


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
    claim=Store.claim,
    seals=True,
    jobs=(Job("retention", _retention, lambda s: s.retention_sweep_s),),
    max_request_bytes=8 << 20,  # an evidence file of 5 MiB, in base64, in JSON
)
PortfolioSettings = DEFINITION.settings
