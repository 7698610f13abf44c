"""The public contract between huisacademie's services and external subscribers.

Events are frozen pydantic models; the CloudEvents attributes travel in Kafka headers
(binary content mode) and the event's data is the JSON body.
"""

from contracts.catalogue import (
    AuditCancelled,
    AuditCompleted,
    AuditRescheduled,
    AuditScheduled,
    CourseOffered,
    CourseUpdated,
    CourseWithdrawn,
    ProgrammeOffered,
)
from contracts.enrollment import (
    AttendanceRecorded,
    Completed,
    Enrolled,
    EnrollmentCancelled,
    EnrollmentDeclined,
    EnrollmentRequested,
    InterestRegistered,
    NotCompleted,
    ProgrammeCompleted,
    ReservationReleased,
    SeatsReserved,
    Waitlisted,
)
from contracts.envelope import Envelope, EnvelopeError, decode
from contracts.event import Event
from contracts.registry import EVENT_TYPES, UnknownEventType, event_type_for

__all__ = [
    "EVENT_TYPES",
    "AttendanceRecorded",
    "AuditCancelled",
    "AuditCompleted",
    "AuditRescheduled",
    "AuditScheduled",
    "Completed",
    "CourseOffered",
    "CourseUpdated",
    "CourseWithdrawn",
    "Enrolled",
    "EnrollmentCancelled",
    "EnrollmentDeclined",
    "EnrollmentRequested",
    "Envelope",
    "EnvelopeError",
    "Event",
    "InterestRegistered",
    "NotCompleted",
    "ProgrammeCompleted",
    "ProgrammeOffered",
    "ReservationReleased",
    "SeatsReserved",
    "UnknownEventType",
    "Waitlisted",
    "decode",
    "event_type_for",
]
