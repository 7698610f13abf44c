"""The catalogue's HTTP API, one router per resource."""

from fastapi import APIRouter

from services.catalogue.api import audits, offerings, programmes

router = APIRouter()
for resource in (offerings, audits, programmes):
    router.include_router(resource.router)
