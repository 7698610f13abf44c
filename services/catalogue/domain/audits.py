"""The catalogue's rules for peer audits, without I/O."""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID

from contracts.catalogue import AuditCancelled, AuditCompleted, AuditRescheduled, AuditScheduled
from contracts.values import AuditorCredit, AuditRole, AuditTeamMember, Findings
from services.shared.errors import CommandRejected, Conflict


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
    """Why the audit was last moved or cancelled."""
    rescheduled_from: date | None = None
    """The date before the last move; None while it never moved."""


FIRST_YEAR, LAST_YEAR = 1900, 9000


def check_date(audit_date: date) -> None:
    if not FIRST_YEAR <= audit_date.year <= LAST_YEAR:
        raise CommandRejected(
            f"audit_date: must lie between the years {FIRST_YEAR} and {LAST_YEAR},"
            f" got {audit_date.isoformat()}"
        )


def schedule(audit: Audit) -> tuple[Audit, AuditScheduled]:
    check_date(audit.audit_date)
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


def reschedule(audit: Audit, audit_date: date, reason: str) -> tuple[Audit, AuditRescheduled]:
    _require_scheduled(audit, "rescheduled")
    check_date(audit_date)
    if audit_date == audit.audit_date:
        raise Conflict(f"the audit is already on {audit_date.isoformat()}; nothing to move")
    moved = replace(audit, audit_date=audit_date, rescheduled_from=audit.audit_date, reason=reason)
    return moved, AuditRescheduled(
        audit_id=audit.audit_id,
        school_id=audit.school_id,
        audit_date=audit_date,
        previous_date=audit.audit_date,
        reason=reason,
    )


def complete(
    audit: Audit, findings: Findings, hours_per_auditor: float
) -> tuple[Audit, AuditCompleted]:
    _require_scheduled(audit, "completed")
    hours = round(hours_per_auditor, 2)  # as the portfolio credits them
    credits = tuple(
        AuditorCredit(staff_id=m.staff_id, school_id=m.school_id, role=m.role, hours=hours)
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
