"""The public contract between huisacademie's services and external subscribers.

Events are frozen pydantic models, defined (and listed once, in EVENTS) by the module of
the service that publishes them; the CloudEvents attributes travel in Kafka headers (binary
content mode) and the event's data is the JSON body. Every event is importable from here
too (a test keeps this list with the modules' EVENTS).
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
from contracts.portfolio import (
    DepartureWithdrawn,
    EntryAdded,
    EvidenceAdded,
    FollowUpRecorded,
    LeaderNoteAdded,
    PlanSet,
    ReflectionAdded,
    StaffLeft,
    StaffProfileSet,
)
from contracts.privacy import PersonErased
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
    "DepartureWithdrawn",
    "Enrolled",
    "EnrollmentCancelled",
    "EnrollmentDeclined",
    "EnrollmentRequested",
    "EntryAdded",
    "Envelope",
    "EnvelopeError",
    "Event",
    "EvidenceAdded",
    "FollowUpRecorded",
    "InterestRegistered",
    "LeaderNoteAdded",
    "NotCompleted",
    "PersonErased",
    "PlanSet",
    "ProgrammeCompleted",
    "ProgrammeOffered",
    "ReflectionAdded",
    "ReservationReleased",
    "SeatsReserved",
    "StaffLeft",
    "StaffProfileSet",
    "UnknownEventType",
    "Waitlisted",
    "decode",
    "event_type_for",
]
