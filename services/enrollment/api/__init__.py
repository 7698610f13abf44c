"""Enrollment's HTTP API, one router per resource."""

from fastapi import APIRouter

from services.enrollment.api import calendar, enrollments, offerings, reservations

router = APIRouter()
for resource in (enrollments, reservations, offerings, calendar):
    router.include_router(resource.router)
