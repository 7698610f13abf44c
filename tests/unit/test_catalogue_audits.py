"""Catalogue: planning, completing and cancelling peer audits."""

from datetime import date
from uuid import UUID, uuid4

import pytest

from contracts.values import AuditorCredit, AuditRole, AuditTeamMember, Findings
from services.catalogue.domain.audits import (
    Audit,
    AuditStatus,
    cancel,
    complete,
    reschedule,
    schedule,
)
from services.shared.errors import CommandRejected, Conflict

pytestmark = pytest.mark.unit

AUDITED = uuid4()


def member(role: AuditRole = AuditRole.MEMBER, school_id: UUID | None = None) -> AuditTeamMember:
    return AuditTeamMember(staff_id=uuid4(), school_id=school_id or uuid4(), role=role)


def an_audit(team: tuple[AuditTeamMember, ...] | None = None) -> Audit:
    if team is None:
        team = (member(AuditRole.LEAD), member(), member())
    return Audit(uuid4(), AUDITED, uuid4(), "team learning", date(2026, 3, 12), team)


FINDINGS = Findings(strengths=("shared lesson study",), improvements=("feedback loops",))


def test_schedule_announces_the_audit_and_its_team() -> None:
    audit = an_audit()
    scheduled, event = schedule(audit)
    assert scheduled.status is AuditStatus.SCHEDULED
    assert event.team == audit.team
    assert (event.audit_id, event.school_id, event.board_id) == (
        audit.audit_id,
        AUDITED,
        audit.board_id,
    )
    assert (event.theme, event.audit_date) == ("team learning", date(2026, 3, 12))


def test_an_auditor_from_the_audited_school_is_rejected_by_name() -> None:
    insider = member(school_id=AUDITED)
    with pytest.raises(CommandRejected, match="other schools than the audited school") as err:
        schedule(an_audit((member(AuditRole.LEAD), insider)))
    assert str(insider.staff_id) in err.value.message
    assert type(err.value) is CommandRejected  # not NotFound or Conflict: a 422


@pytest.mark.parametrize(
    ("team", "leads"),
    [
        ((member(), member()), 0),
        ((member(AuditRole.LEAD), member(AuditRole.LEAD)), 2),
    ],
)
def test_an_audit_needs_exactly_one_lead(team: tuple[AuditTeamMember, ...], leads: int) -> None:
    with pytest.raises(CommandRejected, match=f"exactly one lead, got {leads}"):
        schedule(an_audit(team))


def test_a_staff_member_may_not_appear_twice_in_the_team() -> None:
    lead = member(AuditRole.LEAD)
    twice = AuditTeamMember(staff_id=lead.staff_id, school_id=lead.school_id)
    with pytest.raises(CommandRejected, match="more than once"):
        schedule(an_audit((lead, twice)))


def test_an_empty_team_is_rejected() -> None:
    with pytest.raises(CommandRejected, match="at least one auditor"):
        schedule(an_audit(()))


def test_completion_credits_every_auditor_the_hours() -> None:
    audit = an_audit()
    done, event = complete(audit, FINDINGS, hours_per_auditor=6.0)
    expected = tuple(
        AuditorCredit(staff_id=m.staff_id, school_id=m.school_id, role=m.role, hours=6.0)
        for m in audit.team
    )
    assert done.status is AuditStatus.COMPLETED
    assert done.findings == FINDINGS
    assert done.credits == expected
    assert event.team == expected
    assert event.findings == FINDINGS
    assert event.key() == str(AUDITED)


def test_cancel_records_the_reason() -> None:
    cancelled, event = cancel(an_audit(), "school closed")
    assert (cancelled.status, cancelled.reason) == (AuditStatus.CANCELLED, "school closed")
    assert (event.school_id, event.reason) == (AUDITED, "school closed")


@pytest.mark.parametrize("status", [AuditStatus.CANCELLED, AuditStatus.COMPLETED])
def test_only_a_scheduled_audit_can_be_completed_or_cancelled(status: AuditStatus) -> None:
    audit = Audit(uuid4(), AUDITED, uuid4(), "reading", date(2026, 1, 5), (member(),), status)
    with pytest.raises(Conflict, match=f"is {status.value} and cannot be completed"):
        complete(audit, FINDINGS, 4.0)
    with pytest.raises(Conflict, match=f"is {status.value} and cannot be cancelled"):
        cancel(audit, "again")


def test_reschedule_moves_the_audit_and_says_from_when() -> None:
    audit = an_audit()
    moved, event = reschedule(audit, date(2026, 4, 2), "exam week")
    assert (moved.audit_date, moved.rescheduled_from, moved.reason) == (
        date(2026, 4, 2),
        date(2026, 3, 12),
        "exam week",
    )
    assert moved.status is AuditStatus.SCHEDULED
    assert (event.audit_id, event.school_id) == (audit.audit_id, AUDITED)
    assert (event.audit_date, event.previous_date, event.reason) == (
        date(2026, 4, 2),
        date(2026, 3, 12),
        "exam week",
    )
    assert event.key() == str(AUDITED)


def test_rescheduling_to_the_same_date_is_a_conflict_naming_the_date() -> None:
    with pytest.raises(Conflict, match="already on 2026-03-12"):
        reschedule(an_audit(), date(2026, 3, 12), "")


@pytest.mark.parametrize("status", [AuditStatus.CANCELLED, AuditStatus.COMPLETED])
def test_only_a_scheduled_audit_can_be_rescheduled(status: AuditStatus) -> None:
    audit = Audit(uuid4(), AUDITED, uuid4(), "reading", date(2026, 1, 5), (member(),), status)
    with pytest.raises(Conflict, match=f"is {status.value} and cannot be rescheduled"):
        reschedule(audit, date(2026, 2, 5), "")
