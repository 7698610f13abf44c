"""The catalogue's HTTP API, one router per resource."""

from fastapi import APIRouter

from services.catalogue.api import audits, offerings, privacy, programmes

router = APIRouter()
for resource in (offerings, audits, programmes, privacy):
    router.include_router(resource.router)
