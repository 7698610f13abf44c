"""Whose each event is: the board it belongs to, and the schools it concerns.

An event about a person belongs to the board that employs them (its `employer`, named by
the service that made it). Events about an offering belong to the academy's board, events
about an audit to the audited school's board. Events that name only an offering, an
academy, an audit or a school take the owner that earlier events taught (`Known`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from contracts import Event
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
from contracts.portfolio import DepartureWithdrawn, FollowUpRecorded, StaffLeft, StaffProfileSet
from contracts.values import Employer


@dataclass(frozen=True)
class Owner:
    board_id: UUID
    schools: frozenset[UUID] = frozenset()
    """The schools it concerns; none: the board as a whole (an offering)."""


class Kind(StrEnum):
    OFFERING = "offering"
    ACADEMY = "academy"
    AUDIT = "audit"
    SCHOOL = "school"


Ref = tuple[Kind, UUID]


def owner(event: Event) -> Owner | Ref | None:
    """The event's owner where the event says it; else what to look it up by; else none
    (then it reaches no subscriber)."""
    employer = getattr(event, "employer", None)
    if isinstance(employer, Employer):
        return Owner(employer.board_id, frozenset(employer.school_ids))
    match event:
        case StaffProfileSet():
            return Owner(event.board_id, frozenset(event.school_ids))
        case StaffLeft() | DepartureWithdrawn():
            return Owner(event.board_id)
        case CourseOffered() | CourseUpdated():
            return Owner(event.offering.board_id)
        case AuditScheduled() | AuditCompleted():
            return Owner(event.board_id, frozenset({event.school_id, *_team_schools(event)}))
        case CourseWithdrawn():
            return (Kind.OFFERING, event.offering_id)
        case ProgrammeOffered():
            return (Kind.ACADEMY, event.academy_id)
        case AuditRescheduled() | AuditCancelled():
            return (Kind.AUDIT, event.audit_id)
        case FollowUpRecorded():
            return (Kind.SCHOOL, event.school_id)
    return None


def taught(event: Event) -> Iterable[tuple[Ref, Owner]]:
    """What the event teaches about the owners of what later events name."""
    match event:
        case CourseOffered() | CourseUpdated():
            board = Owner(event.offering.board_id)
            yield (Kind.OFFERING, event.offering.offering_id), board
            yield (Kind.ACADEMY, event.offering.academy_id), board
        case AuditScheduled() | AuditCompleted():
            yield (
                (Kind.AUDIT, event.audit_id),
                Owner(event.board_id, frozenset({event.school_id, *_team_schools(event)})),
            )
            yield (
                (Kind.SCHOOL, event.school_id),
                Owner(event.board_id, frozenset({event.school_id})),
            )
        case StaffProfileSet():
            for school in event.school_ids:
                yield (Kind.SCHOOL, school), Owner(event.board_id, frozenset({school}))


def _team_schools(event: AuditScheduled | AuditCompleted) -> set[UUID]:
    return {member.school_id for member in event.team}
