"""The public contract between huisacademie's services and external subscribers.

Events are frozen pydantic models; the CloudEvents attributes travel in Kafka headers
(binary content mode) and the event's data is the JSON body.
"""

from contracts.catalogue import (
    AuditCancelled,
    AuditCompleted,
    AuditScheduled,
    CourseOffered,
    CourseUpdated,
    CourseWithdrawn,
)
from contracts.enrollment import Completed, Enrolled, EnrollmentCancelled, Waitlisted
from contracts.envelope import Envelope, EnvelopeError, decode
from contracts.event import Event
from contracts.registry import EVENT_TYPES, UnknownEventType, event_type_for

__all__ = [
    "EVENT_TYPES",
    "AuditCancelled",
    "AuditCompleted",
    "AuditScheduled",
    "Completed",
    "CourseOffered",
    "CourseUpdated",
    "CourseWithdrawn",
    "Enrolled",
    "EnrollmentCancelled",
    "Envelope",
    "EnvelopeError",
    "Event",
    "UnknownEventType",
    "Waitlisted",
    "decode",
    "event_type_for",
]
