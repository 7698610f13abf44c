"""The catalogue's HTTP API for peer audits."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.catalogue.api.deps import Commands, Queries
from services.catalogue.api.schemas import (
    AuditCompletion,
    AuditIn,
    AuditMove,
    AuditOut,
    Reason,
    audit_out,
)
from services.catalogue.queries import audit_target
from services.shared.identity.access import Target
from services.shared.identity.http import Caller, Forbidden, Who

router = APIRouter(tags=["audits"])


@router.get("/audits")
async def list_audits(
    q: Queries, who: Who, school_id: Annotated[UUID | None, Query()] = None
) -> list[AuditOut]:
    """The audits the caller reaches (as leader, board administrator or auditor)."""
    return [audit_out(a) for a in await q.audits(school_id) if who.reaches(audit_target(a))]


@router.get("/audits/{audit_id}")
async def get_audit(audit_id: UUID, q: Queries, who: Who) -> AuditOut:
    audit = await q.audit(audit_id)
    who.allow(audit_target(audit))
    return audit_out(audit)


@router.post("/audits", status_code=status.HTTP_201_CREATED)
async def schedule_audit(body: AuditIn, cmd: Commands, who: Who) -> AuditOut:
    """Plan a peer audit with a team from other schools (AuditScheduled)."""
    who.allow(Target(board_id=body.board_id), named=False)
    await _of_the_board(who, body)
    audit = await cmd.schedule_audit(
        body.school_id, body.board_id, body.theme, body.audit_date, body.team
    )
    return audit_out(audit)


@router.post("/audits/{audit_id}/reschedule")
async def reschedule_audit(
    audit_id: UUID, body: AuditMove, cmd: Commands, q: Queries, who: Who
) -> AuditOut:
    """Move a scheduled audit to another date (AuditRescheduled)."""
    who.allow(audit_target(await q.audit(audit_id)))
    return audit_out(await cmd.reschedule_audit(audit_id, body.audit_date, body.reason))


@router.post("/audits/{audit_id}/complete")
async def complete_audit(
    audit_id: UUID, body: AuditCompletion, cmd: Commands, q: Queries, who: Who
) -> AuditOut:
    """Record the findings; each auditor is credited the hours (AuditCompleted)."""
    who.allow(audit_target(await q.audit(audit_id)))
    return audit_out(await cmd.complete_audit(audit_id, body.findings, body.hours_per_auditor))


@router.post("/audits/{audit_id}/cancel")
async def cancel_audit(
    audit_id: UUID, body: Reason, cmd: Commands, q: Queries, who: Who
) -> AuditOut:
    who.allow(audit_target(await q.audit(audit_id)))
    return audit_out(await cmd.cancel_audit(audit_id, body.reason))


async def _of_the_board(who: Caller, body: AuditIn) -> None:
    """The audited school and the team are the board's: no audit of another board's school,
    and no hours credited to another board's staff."""
    await who.refuse_other_boards(
        body.board_id, [body.school_id, *(m.school_id for m in body.team)]
    )
    people = await who.directory.people(m.staff_id for m in body.team)
    for member in body.team:
        person = people.get(member.staff_id)
        if person is not None and person.board_id != body.board_id:
            raise Forbidden(f"{member.staff_id} is staff of another board")
