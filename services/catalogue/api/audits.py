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

router = APIRouter(tags=["audits"])


@router.get("/audits")
async def list_audits(
    q: Queries, school_id: Annotated[UUID | None, Query()] = None
) -> list[AuditOut]:
    return [audit_out(a) for a in await q.audits(school_id)]


@router.get("/audits/{audit_id}")
async def get_audit(audit_id: UUID, q: Queries) -> AuditOut:
    return audit_out(await q.audit(audit_id))


@router.post("/audits", status_code=status.HTTP_201_CREATED)
async def schedule_audit(body: AuditIn, cmd: Commands) -> AuditOut:
    """Plan a peer audit with a team from other schools (AuditScheduled)."""
    audit = await cmd.schedule_audit(
        body.school_id, body.board_id, body.theme, body.audit_date, body.team
    )
    return audit_out(audit)


@router.post("/audits/{audit_id}/reschedule")
async def reschedule_audit(audit_id: UUID, body: AuditMove, cmd: Commands) -> AuditOut:
    """Move a scheduled audit to another date (AuditRescheduled)."""
    return audit_out(await cmd.reschedule_audit(audit_id, body.audit_date, body.reason))


@router.post("/audits/{audit_id}/complete")
async def complete_audit(audit_id: UUID, body: AuditCompletion, cmd: Commands) -> AuditOut:
    """Record the findings; each auditor is credited the hours (AuditCompleted)."""
    return audit_out(await cmd.complete_audit(audit_id, body.findings, body.hours_per_auditor))


@router.post("/audits/{audit_id}/cancel")
async def cancel_audit(audit_id: UUID, body: Reason, cmd: Commands) -> AuditOut:
    return audit_out(await cmd.cancel_audit(audit_id, body.reason))
