"""The web application's composition root."""

from fastapi import APIRouter

from services.shared.definition import ServiceDefinition
from services.web.pages import pages
from services.web.policy import POLICY
from services.web.privacy import router as privacy
from services.web.store import Store

ABOUT = "The pages staff, school leaders, academies and boards use, signed in, in Dutch."

api = APIRouter()
api.include_router(privacy)

DEFINITION = ServiceDefinition("web", 8000, ABOUT, Store, api, POLICY, pages=pages())
WebSettings = DEFINITION.settings
