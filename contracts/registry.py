"""Which model a CloudEvents type names."""

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
from contracts.event import Event
from contracts.portfolio import (
    EntryAdded,
    EvidenceAdded,
    FollowUpRecorded,
    LeaderNoteAdded,
    PlanSet,
    ReflectionAdded,
    StaffProfileSet,
)

EVENT_TYPES: dict[str, type[Event]] = {
    model.ce_type: model
    for model in (
        CourseOffered,
        CourseUpdated,
        CourseWithdrawn,
        AuditScheduled,
        AuditRescheduled,
        AuditCompleted,
        AuditCancelled,
        ProgrammeOffered,
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
        EntryAdded,
        EvidenceAdded,
        ReflectionAdded,
        LeaderNoteAdded,
        FollowUpRecorded,
        StaffProfileSet,
        PlanSet,
    )
}


class UnknownEventType(LookupError):
    pass


def event_type_for(ce_type: str) -> type[Event]:
    try:
        return EVENT_TYPES[ce_type]
    except KeyError:
        raise UnknownEventType(f"unknown event type {ce_type!r}") from None


def events_on(topic: str) -> list[type[Event]]:
    return [m for m in EVENT_TYPES.values() if m.topic == topic]
