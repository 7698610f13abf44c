"""The portfolio's HTTP API, one router per resource."""

from fastapi import APIRouter

from services.portfolio.api import (
    audits,
    changes,
    entries,
    plans,
    portfolio,
    privacy,
    profiles,
    retention,
)

router = APIRouter()
for resource in (portfolio, changes, entries, profiles, audits, plans, privacy, retention):
    router.include_router(resource.router)
