"""The portfolio's HTTP API, one router per resource."""

from fastapi import APIRouter

from services.portfolio.api import audits, entries, plans, portfolio, profiles

router = APIRouter()
for resource in (portfolio, entries, profiles, audits, plans):
    router.include_router(resource.router)
