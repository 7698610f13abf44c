"""The catalogue's HTTP API for peer audits."""

from dataclasses import asdict
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from contracts.values import AuditorCredit, AuditTeamMember, Findings, Hours, Name, Text
from services.catalogue.api_common import Body, Reason, Service
from services.catalogue.audits import Audit

router = APIRouter(tags=["audits"])


class AuditIn(Body):
    school_id: UUID = Field(description="The audited school.")
    board_id: UUID
    theme: Name
    audit_date: date
    team: tuple[AuditTeamMember, ...] = Field(min_length=1, max_length=20)


class AuditMove(Body):
    audit_date: date = Field(description="The new date.")
    reason: Text = ""


class AuditCompletion(Body):
    findings: Findings
    hours_per_auditor: Hours = 8.0


class AuditOut(BaseModel):
    audit_id: UUID
    school_id: UUID
    board_id: UUID
    theme: str
    audit_date: date
    team: tuple[AuditTeamMember, ...]
    status: str
    findings: Findings | None
    credits: tuple[AuditorCredit, ...]
    reason: str = Field(description="Why the audit was last moved or cancelled.")
    rescheduled_from: date | None = Field(description="The date before the last move.")


def _audit_out(a: Audit) -> AuditOut:
    return AuditOut.model_validate(asdict(a))


@router.post("/audits", status_code=status.HTTP_201_CREATED)
async def schedule_audit(body: AuditIn, svc: Service) -> AuditOut:
    """Plan a peer audit with a team from other schools (AuditScheduled)."""
    audit = await svc.schedule_audit(
        body.school_id, body.board_id, body.theme, body.audit_date, body.team
    )
    return _audit_out(audit)


@router.post("/audits/{audit_id}/reschedule")
async def reschedule_audit(audit_id: UUID, body: AuditMove, svc: Service) -> AuditOut:
    """Move a scheduled audit to another date (AuditRescheduled)."""
    return _audit_out(await svc.reschedule_audit(audit_id, body.audit_date, body.reason))


@router.post("/audits/{audit_id}/complete")
async def complete_audit(audit_id: UUID, body: AuditCompletion, svc: Service) -> AuditOut:
    """Record the findings; each auditor is credited the hours (AuditCompleted)."""
    return _audit_out(await svc.complete_audit(audit_id, body.findings, body.hours_per_auditor))


@router.post("/audits/{audit_id}/cancel")
async def cancel_audit(audit_id: UUID, body: Reason, svc: Service) -> AuditOut:
    return _audit_out(await svc.cancel_audit(audit_id, body.reason))


@router.get("/audits")
async def list_audits(
    svc: Service, school_id: Annotated[UUID | None, Query()] = None
) -> list[AuditOut]:
    return [_audit_out(a) for a in await svc.audits(school_id)]


@router.get("/audits/{audit_id}")
async def get_audit(audit_id: UUID, svc: Service) -> AuditOut:
    return _audit_out(await svc.audit(audit_id))
