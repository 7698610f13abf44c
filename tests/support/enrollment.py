"""Driving the enrollment service's use cases directly, on a real database."""

import uuid
from typing import Unpack

import asyncpg

from contracts import Event
from contracts.catalogue import CourseOffered
from contracts.values import OfferingDetails, StaffRole
from services.enrollment.app import DEFINITION
from services.enrollment.commands import (
    AttendanceCommands,
    EnrollmentCommands,
    ReservationCommands,
)
from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.handlers import HANDLERS
from services.enrollment.queries import EnrollmentQueries
from services.shared.consumer import handle
from tests.support.factories import DetailsFields, offering_details
from tests.support.sealing import sealer


def enrolling(pool: asyncpg.Pool) -> EnrollmentCommands:
    return EnrollmentCommands(DEFINITION.database(pool, sealer()).transaction)


def attendance(pool: asyncpg.Pool) -> AttendanceCommands:
    return AttendanceCommands(DEFINITION.database(pool, sealer()).transaction)


def reservations(pool: asyncpg.Pool) -> ReservationCommands:
    return ReservationCommands(DEFINITION.database(pool, sealer()).transaction)


def queries(pool: asyncpg.Pool) -> EnrollmentQueries:
    return EnrollmentQueries(DEFINITION.database(pool, sealer()))


async def handled(pool: asyncpg.Pool, event: Event) -> None:
    """The event applied by enrollment's handlers in a unit of work, as the consumer does
    (without the inbox)."""
    async with DEFINITION.database(pool, sealer()).transaction() as unit:
        await handle(unit, HANDLERS, [event])


async def publish(pool: asyncpg.Pool, **overrides: Unpack[DetailsFields]) -> OfferingDetails:
    """An offering as enrollment learns it from the catalogue's CourseOffered."""
    details = offering_details(**overrides)
    await handled(pool, CourseOffered(offering=details))
    return details


def staff_of(offering: OfferingDetails, role: StaffRole = StaffRole.TEACHER) -> StaffMember:
    """A new staff member of the board that runs the offering's academy."""
    return StaffMember(uuid.uuid4(), offering.board_id, role)
