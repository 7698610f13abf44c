"""Driving the enrollment service's use cases directly, on a real database."""

import uuid
from typing import Unpack

import asyncpg

from contracts import CourseOffered
from contracts.values import OfferingDetails, StaffRole
from services.enrollment.eligibility import StaffMember
from services.enrollment.projection import CatalogueProjection
from tests.support.factories import DetailsFields, offering_details

SOURCE = "/test/enrollment"


async def publish(pool: asyncpg.Pool, **overrides: Unpack[DetailsFields]) -> OfferingDetails:
    """An offering as enrollment learns it from the catalogue's CourseOffered."""
    details = offering_details(**overrides)
    async with pool.acquire() as conn, conn.transaction():
        await CatalogueProjection(pool, SOURCE).on_course_offered(
            conn, CourseOffered(offering=details)
        )
    return details


def staff_of(offering: OfferingDetails, role: StaffRole = StaffRole.TEACHER) -> StaffMember:
    """A new staff member of the board that runs the offering's academy."""
    return StaffMember(uuid.uuid4(), offering.board_id, role)
