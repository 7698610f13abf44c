"""Events published by the catalogue service."""

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts import topics
from contracts.event import Event
from contracts.values import (
    AuditorCredit,
    AuditTeamMember,
    Findings,
    Name,
    OfferingDetails,
    Text,
)


class _OfferingEvent(Event):
    topic: ClassVar[str] = topics.OFFERINGS


class CourseOffered(_OfferingEvent):
    """An academy published an offering."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.course_offered.v1"
    offering: OfferingDetails

    def key(self) -> str:
        return str(self.offering.offering_id)


class CourseUpdated(_OfferingEvent):
    """An academy changed a published offering; carries the whole new state."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.course_updated.v1"
    offering: OfferingDetails
    changed: tuple[str, ...] = Field(
        description="Names of the fields that changed.", examples=[["capacity", "sessions"]]
    )

    def key(self) -> str:
        return str(self.offering.offering_id)


class CourseWithdrawn(_OfferingEvent):
    """An academy withdrew an offering: it is cancelled for everyone."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.course_withdrawn.v1"
    offering_id: UUID
    academy_id: UUID
    reason: Text = ""

    def key(self) -> str:
        return str(self.offering_id)


class _AuditEvent(Event):
    topic: ClassVar[str] = topics.AUDITS
    audit_id: UUID
    school_id: UUID = Field(description="The audited school.")

    def key(self) -> str:
        return str(self.school_id)


class AuditScheduled(_AuditEvent):
    """A peer audit of a school was planned, with a team from other schools."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.audit_scheduled.v1"
    board_id: UUID
    theme: Name = Field(examples=["team learning and collaboration"])
    audit_date: date
    team: tuple[AuditTeamMember, ...] = Field(min_length=1, max_length=20)


class AuditCompleted(_AuditEvent):
    """A peer audit took place; the team reported its findings."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.audit_completed.v1"
    board_id: UUID
    theme: Name
    audit_date: date
    team: tuple[AuditorCredit, ...] = Field(
        description="The auditors, each with the study hours credited for the audit work."
    )
    findings: Findings


class AuditRescheduled(_AuditEvent):
    """A planned peer audit moved to another date."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.audit_rescheduled.v1"
    audit_date: date = Field(description="The new date.")
    previous_date: date
    reason: Text = ""


class AuditCancelled(_AuditEvent):
    """A planned peer audit was called off."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.audit_cancelled.v1"
    reason: Text = ""


class ProgrammeOffered(Event):
    """An academy published a programme: an ordered path of offerings. Completing all of
    them completes the programme."""

    ce_type: ClassVar[str] = "nl.huisacademie.catalogue.programme_offered.v1"
    topic: ClassVar[str] = topics.PROGRAMMES
    programme_id: UUID
    academy_id: UUID
    title: Name
    offering_ids: tuple[UUID, ...] = Field(min_length=1, max_length=50)

    def key(self) -> str:
        return str(self.programme_id)


EVENTS: tuple[type[Event], ...] = (
    CourseOffered,
    CourseUpdated,
    CourseWithdrawn,
    AuditScheduled,
    AuditRescheduled,
    AuditCompleted,
    AuditCancelled,
    ProgrammeOffered,
)
"""The catalogue's events, in the order the contracts document them."""
