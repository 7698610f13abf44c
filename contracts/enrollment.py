"""Events published by the enrollment service. All are keyed by staff member id, so
each person's events arrive in order."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts import topics
from contracts.event import Event
from contracts.values import Hours, OfferingSnapshot, Text


class _EnrollmentEvent(Event):
    topic: ClassVar[str] = topics.ENROLLMENTS
    enrollment_id: UUID
    staff_id: UUID = Field(
        description="The staff member, as known to the board's identity provider."
    )
    offering: OfferingSnapshot

    def key(self) -> str:
        return str(self.staff_id)


class EnrolledVia(StrEnum):
    DIRECT = "direct"
    WAITLIST = "waitlist"


class Enrolled(_EnrollmentEvent):
    """A staff member holds a seat in an offering."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.enrolled.v1"
    via: EnrolledVia = Field(
        description="direct, or waitlist when a freed seat promoted the person."
    )
    enrolled_at: datetime


class Waitlisted(_EnrollmentEvent):
    """The offering was full: the staff member joined its waiting list."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.waitlisted.v1"
    waitlisted_at: datetime


class CancelledFrom(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"


class EnrollmentCancelled(_EnrollmentEvent):
    """An enrollment or a place on the waiting list ended before completion."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.enrollment_cancelled.v1"
    cancelled_from: CancelledFrom
    reason: Text = Field(default="", examples=["offering withdrawn"])
    cancelled_at: datetime


class Completed(_EnrollmentEvent):
    """The academy recorded that the staff member completed the offering."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.completed.v1"
    completed_on: date = Field(description="Counts towards the school year of this date.")
    hours: Hours = Field(description="Study hours credited; by default the offering's hours.")
