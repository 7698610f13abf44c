"""Catalogue: peer audits at their edges (the first and last years allowed) and the exact
messages a board reads when a team is refused."""

from datetime import date
from uuid import UUID, uuid4

import pytest

from contracts.values import AuditRole, AuditTeamMember
from services.catalogue.domain.audits import Audit, schedule
from services.shared.errors import CommandRejected

pytestmark = pytest.mark.unit

AUDITED = uuid4()


def member(role: AuditRole = AuditRole.MEMBER, school_id: UUID | None = None) -> AuditTeamMember:
    return AuditTeamMember(staff_id=uuid4(), school_id=school_id or uuid4(), role=role)


def an_audit(team: tuple[AuditTeamMember, ...], on: date = date(2026, 3, 12)) -> Audit:
    return Audit(uuid4(), AUDITED, uuid4(), "team learning", on, team)


def refusal(audit: Audit) -> str:
    with pytest.raises(CommandRejected) as refused:
        schedule(audit)
    return refused.value.message


@pytest.mark.parametrize("on", [date(1900, 1, 1), date(9000, 12, 31)])
def test_the_first_and_the_last_year_allowed_are_allowed(on: date) -> None:
    _, event = schedule(an_audit((member(AuditRole.LEAD),), on))
    assert event.audit_date == on


def test_an_empty_team_is_refused_with_its_reason() -> None:
    assert refusal(an_audit(())) == "team: an audit needs at least one auditor"


def test_every_auditor_from_the_audited_school_is_named() -> None:
    first, second = member(school_id=AUDITED), member(school_id=AUDITED)
    assert refusal(an_audit((member(AuditRole.LEAD), first, second))) == (
        "team: auditors must come from other schools than the audited school; "
        f"from the audited school: {first.staff_id}, {second.staff_id}"
    )


def test_a_staff_member_twice_in_the_team_is_refused_with_its_reason() -> None:
    lead = member(AuditRole.LEAD)
    twice = AuditTeamMember(staff_id=lead.staff_id, school_id=lead.school_id)
    assert refusal(an_audit((lead, twice))) == "team: a staff member appears more than once"
