"""Enrollment's HTTP API, one router per resource."""

from fastapi import APIRouter

from services.enrollment.api import calendar, enrollments, offerings, privacy, reservations

router = APIRouter()
for resource in (enrollments, reservations, offerings, calendar, privacy):
    router.include_router(resource.router)
