"""Enrollment's write use cases, each one unit of work: enrolling (one person or a team,
approval, cancellation), taking part (attendance, completion) and reservations."""

from services.enrollment.commands.enrolling import EnrollmentCommands
from services.enrollment.commands.reservations import ReservationCommands
from services.enrollment.commands.taking_part import AttendanceCommands

__all__ = ["AttendanceCommands", "EnrollmentCommands", "ReservationCommands"]
