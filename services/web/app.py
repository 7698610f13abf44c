"""The web application's composition root."""

from datetime import timedelta

from fastapi import APIRouter

from services.shared.definition import Job, ServiceDefinition
from services.shared.identity.directory import Directory
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Database
from services.web.config import config
from services.web.mail.handlers import SUBSCRIPTIONS
from services.web.mail.job import MAIL
from services.web.pages import pages
from services.web.policy import POLICY
from services.web.privacy import router as privacy
from services.web.store import Store

ABOUT = "The pages staff, school leaders, academies and boards use, signed in, in Dutch."

api = APIRouter()
api.include_router(privacy)


async def _end_sessions(database: Database[Store], _: Directory, __: ServiceSettings) -> int:
    """Sessions past their time, and sign-ins never finished, are deleted."""
    async with database.transaction() as unit:
        return await unit.store.sweep(timedelta(minutes=config().session_idle_minutes))


SESSIONS = Job[Store]("sessions", _end_sessions, lambda _: 600.0)
DEFINITION = ServiceDefinition(
    "web", 8000, ABOUT, Store, api, POLICY, SUBSCRIPTIONS, jobs=(MAIL, SESSIONS), pages=pages()
)
WebSettings = DEFINITION.settings
