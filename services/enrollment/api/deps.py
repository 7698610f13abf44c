"""Enrollment's use cases, per request: the commands and the queries."""

from typing import Annotated, Any

from fastapi import Depends

from services.enrollment.commands import (
    AttendanceCommands,
    EnrollmentCommands,
    ReservationCommands,
)
from services.enrollment.queries import EnrollmentQueries
from services.shared.http import use_cases
from services.shared.unit_of_work import Database


def _enrolling(database: Database[Any]) -> EnrollmentCommands:
    return EnrollmentCommands(database.transaction)


def _attendance(database: Database[Any]) -> AttendanceCommands:
    return AttendanceCommands(database.transaction)


def _reservations(database: Database[Any]) -> ReservationCommands:
    return ReservationCommands(database.transaction)


Enrolling = Annotated[EnrollmentCommands, Depends(use_cases(_enrolling))]
Attendance = Annotated[AttendanceCommands, Depends(use_cases(_attendance))]
Reservations = Annotated[ReservationCommands, Depends(use_cases(_reservations))]
Queries = Annotated[EnrollmentQueries, Depends(use_cases(EnrollmentQueries))]
