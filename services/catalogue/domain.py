"""The catalogue's rules, without I/O."""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from contracts.catalogue import (
    AuditCancelled,
    AuditCompleted,
    AuditScheduled,
    CourseOffered,
    CourseUpdated,
    CourseWithdrawn,
)
from contracts.values import (
    AuditorCredit,
    AuditRole,
    AuditTeamMember,
    Findings,
    OfferingDetails,
    Session,
)
from services.shared.errors import CommandRejected, Conflict


@dataclass(frozen=True)
class Academy:
    academy_id: UUID
    board_id: UUID
    name: str


class OfferingStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Offering:
    details: OfferingDetails
    status: OfferingStatus = OfferingStatus.PUBLISHED


def check_sessions(sessions: tuple[Session, ...]) -> None:
    for number, session in enumerate(sessions, start=1):
        if session.ends_at <= session.starts_at:
            raise CommandRejected(f"sessions[{number - 1}]: ends_at must be after starts_at")


def in_order(details: OfferingDetails) -> OfferingDetails:
    """The offering with its sessions checked and sorted by start."""
    check_sessions(details.sessions)
    ordered = tuple(sorted(details.sessions, key=lambda s: s.starts_at))
    return (
        details if ordered == details.sessions else details.model_copy(update={"sessions": ordered})
    )


def publish(details: OfferingDetails) -> tuple[Offering, CourseOffered]:
    details = in_order(details)
    return Offering(details), CourseOffered(offering=details)


def update(offering: Offering, changes: dict[str, Any]) -> tuple[Offering, CourseUpdated | None]:
    """Apply changed fields; no event when nothing actually changed."""
    if offering.status is OfferingStatus.WITHDRAWN:
        raise Conflict("the offering was withdrawn and can no longer be changed")
    old = offering.details
    details = in_order(OfferingDetails.model_validate({**old.model_dump(), **changes}))
    changed = tuple(sorted(f for f in changes if getattr(details, f) != getattr(old, f)))
    if not changed:
        return offering, None
    return replace(offering, details=details), CourseUpdated(offering=details, changed=changed)


def withdraw(offering: Offering, reason: str) -> tuple[Offering, CourseWithdrawn]:
    if offering.status is OfferingStatus.WITHDRAWN:
        raise Conflict("the offering was already withdrawn")
    event = CourseWithdrawn(
        offering_id=offering.details.offering_id,
        academy_id=offering.details.academy_id,
        reason=reason,
    )
    return replace(offering, status=OfferingStatus.WITHDRAWN), event


class AuditStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Audit:
    audit_id: UUID
    school_id: UUID
    board_id: UUID
    theme: str
    audit_date: date
    team: tuple[AuditTeamMember, ...]
    status: AuditStatus = AuditStatus.SCHEDULED
    findings: Findings | None = None
    credits: tuple[AuditorCredit, ...] = ()
    reason: str = ""


def schedule(audit: Audit) -> tuple[Audit, AuditScheduled]:
    if not audit.team:
        raise CommandRejected("team: an audit needs at least one auditor")
    from_audited = [m.staff_id for m in audit.team if m.school_id == audit.school_id]
    if from_audited:
        raise CommandRejected(
            "team: auditors must come from other schools than the audited school; "
            f"from the audited school: {', '.join(map(str, from_audited))}"
        )
    leads = sum(1 for m in audit.team if m.role is AuditRole.LEAD)
    if leads != 1:
        raise CommandRejected(f"team: an audit needs exactly one lead, got {leads}")
    if len({m.staff_id for m in audit.team}) != len(audit.team):
        raise CommandRejected("team: a staff member appears more than once")
    return audit, AuditScheduled(
        audit_id=audit.audit_id,
        school_id=audit.school_id,
        board_id=audit.board_id,
        theme=audit.theme,
        audit_date=audit.audit_date,
        team=audit.team,
    )


def complete(
    audit: Audit, findings: Findings, hours_per_auditor: float
) -> tuple[Audit, AuditCompleted]:
    _require_scheduled(audit, "completed")
    credits = tuple(
        AuditorCredit(
            staff_id=m.staff_id, school_id=m.school_id, role=m.role, hours=hours_per_auditor
        )
        for m in audit.team
    )
    done = replace(audit, status=AuditStatus.COMPLETED, findings=findings, credits=credits)
    return done, AuditCompleted(
        audit_id=audit.audit_id,
        school_id=audit.school_id,
        board_id=audit.board_id,
        theme=audit.theme,
        audit_date=audit.audit_date,
        team=credits,
        findings=findings,
    )


def cancel(audit: Audit, reason: str) -> tuple[Audit, AuditCancelled]:
    _require_scheduled(audit, "cancelled")
    cancelled = replace(audit, status=AuditStatus.CANCELLED, reason=reason)
    return cancelled, AuditCancelled(
        audit_id=audit.audit_id, school_id=audit.school_id, reason=reason
    )


def _require_scheduled(audit: Audit, action: str) -> None:
    if audit.status is not AuditStatus.SCHEDULED:
        raise Conflict(f"the audit is {audit.status.value} and cannot be {action}")
