"""Events published by the enrollment service. All are keyed by staff member id, so
each person's events arrive in order."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts import topics
from contracts.event import Event
from contracts.personal import WrittenReason
from contracts.values import Employed, Employer, Hours, OfferingSnapshot, Text


class _EnrollmentEvent(Event):
    topic: ClassVar[str] = topics.ENROLLMENTS
    enrollment_id: UUID
    staff_id: UUID = Field(
        description="The staff member: an id of huisacademie's own, which only the directory"
        " links to a name and a sign-in."
    )
    offering: OfferingSnapshot
    employer: Employed = None

    def key(self) -> str:
        return str(self.staff_id)

    def data_subject(self) -> UUID:
        return self.staff_id


class EnrolledVia(StrEnum):
    DIRECT = "direct"
    WAITLIST = "waitlist"
    INTEREST_LIST = "interest_list"
    TEAM = "team"
    RESERVATION = "reservation"


class Enrolled(_EnrollmentEvent):
    """A staff member holds a seat in an offering."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.enrolled.v1"
    via: EnrolledVia = Field(
        description="direct; waitlist when a freed seat promoted the person; interest_list "
        "when sessions were added to an offering the person had shown interest in; team when "
        "a school leader enrolled a team; reservation when a seat the leader had reserved "
        "for the team got a name."
    )
    enrolled_at: datetime
    approved_by: UUID | None = Field(
        default=None, description="The school leader who approved, where approval was needed."
    )


class Waitlisted(_EnrollmentEvent):
    """The offering was full: the staff member joined its waiting list."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.waitlisted.v1"
    waitlisted_at: datetime
    approved_by: UUID | None = Field(
        default=None, description="The school leader who approved, where approval was needed."
    )


class CancelledFrom(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    REQUESTED = "requested"
    INTERESTED = "interested"


class EnrollmentCancelled(_EnrollmentEvent):
    """An enrollment or a place on the waiting list ended before completion."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.enrollment_cancelled.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.enrollment.enrollment_cancelled.v1",)
    personal: ClassVar[tuple[str, ...]] = ("reason",)
    cancelled_from: CancelledFrom
    reason: WrittenReason = Field(default="", examples=["offering withdrawn"])
    cancelled_at: datetime


class Completed(_EnrollmentEvent):
    """The academy recorded that the staff member completed the offering."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.completed.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.enrollment.completed.v1",)
    personal: ClassVar[tuple[str, ...]] = ("reason",)
    completed_on: date = Field(description="Counts towards the school year of this date.")
    hours: Hours = Field(description="Study hours credited; by default the offering's hours.")
    attended_share: float | None = Field(
        default=None, ge=0, le=1, description="Share of sessions attended, where recorded."
    )
    reason: WrittenReason = Field(
        default="", description="Why the academy recorded it by hand, if it did."
    )


class NotCompleted(_EnrollmentEvent):
    """The staff member took part but did not meet the completion criteria."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.not_completed.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.enrollment.not_completed.v1",)
    personal: ClassVar[tuple[str, ...]] = ("reason",)
    recorded_on: date
    attended_share: float | None = Field(default=None, ge=0, le=1)
    reason: WrittenReason = ""


class EnrollmentRequested(_EnrollmentEvent):
    """Enrolment waits for the staff member's school leader to approve it."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.enrollment_requested.v1"
    requested_at: datetime


class EnrollmentDeclined(_EnrollmentEvent):
    """The school leader declined the request."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.enrollment_declined.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.enrollment.enrollment_declined.v1",)
    personal: ClassVar[tuple[str, ...]] = ("reason",)
    declined_by: UUID
    reason: WrittenReason = ""
    declined_at: datetime


class InterestRegistered(_EnrollmentEvent):
    """The staff member joined the interest list of an offering without dates yet."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.interest_registered.v1"
    registered_at: datetime


class AttendanceRecorded(_EnrollmentEvent):
    """Whether the staff member attended one session."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.attendance_recorded.v1"
    session_id: UUID
    session_starts_at: AwareDatetime
    attended: bool
    recorded_at: datetime


class ProgrammeCompleted(Event):
    """The staff member completed every offering of a programme."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.programme_completed.v1"
    topic: ClassVar[str] = topics.ENROLLMENTS
    staff_id: UUID
    programme_id: UUID
    title: Text
    offering_ids: tuple[UUID, ...]
    completed_on: date
    employer: Employed = None

    def key(self) -> str:
        return str(self.staff_id)

    def employee(self) -> UUID:
        return self.staff_id


class _ReservationEvent(Event):
    topic: ClassVar[str] = topics.ENROLLMENTS
    reservation_id: UUID
    leader_id: UUID = Field(description="The school leader who holds the reservation.")
    offering: OfferingSnapshot
    employer: Employer | None = Field(
        default=None, description="The board that employs the school leader, and their schools."
    )

    def key(self) -> str:
        return str(self.leader_id)

    def employee(self) -> UUID:
        return self.leader_id


class SeatsReserved(_ReservationEvent):
    """A school leader reserved seats for a team, to fill with names later. Reserved seats
    count as taken until they are filled (Enrolled, via reservation) or released."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.seats_reserved.v1"
    seats: int = Field(ge=1)
    reserved_at: datetime


class ReservationReleased(_ReservationEvent):
    """The school leader gave back the seats of a reservation that had no names yet."""

    ce_type: ClassVar[str] = "nl.huisacademie.enrollment.reservation_released.v1"
    seats_released: int = Field(ge=0)
    released_at: datetime


EVENTS: tuple[type[Event], ...] = (
    Enrolled,
    Waitlisted,
    EnrollmentCancelled,
    Completed,
    NotCompleted,
    EnrollmentRequested,
    EnrollmentDeclined,
    InterestRegistered,
    AttendanceRecorded,
    ProgrammeCompleted,
    SeatsReserved,
    ReservationReleased,
)
"""Enrollment's events, in the order the contracts document them."""
