"""The catalogue's HTTP API."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.values import (
    AuditorCredit,
    AuditTeamMember,
    Domains,
    Findings,
    GoalTags,
    Hours,
    Name,
    OfferingDetails,
    OfferingKind,
    Session,
    Text,
    Visibility,
)
from services.catalogue.domain import Academy, Audit, Offering
from services.catalogue.service import Catalogue
from services.shared.http import runtime_of

router = APIRouter()


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcademyIn(Body):
    name: Name
    board_id: UUID


class AcademyOut(BaseModel):
    academy_id: UUID
    board_id: UUID
    name: str


Seats = Annotated[int, Field(ge=1, le=100_000)]
Sessions = Annotated[tuple[Session, ...], Field(max_length=100)]


class OfferingFields(Body):
    title: Name
    description: str = Field(default="", max_length=5000)
    kind: OfferingKind
    sessions: Sessions = ()
    capacity: Seats | None = Field(default=None, description="Absent or null: unlimited.")
    study_hours: Hours
    domains: Domains = ()
    goal_tags: GoalTags = ()
    visibility: Visibility = Visibility.OWN_BOARD


class OfferingIn(OfferingFields):
    academy_id: UUID


class OfferingPatch(Body):
    """Only the fields present change; `capacity: null` makes seats unlimited."""

    title: Name | None = None
    description: str | None = Field(default=None, max_length=5000)
    sessions: Sessions | None = None
    capacity: Seats | None = None
    study_hours: Hours | None = None
    domains: Domains | None = None
    goal_tags: GoalTags | None = None
    visibility: Visibility | None = None

    @model_validator(mode="after")
    def _only_capacity_may_be_null(self) -> "OfferingPatch":
        nulls = sorted(
            f for f in self.model_fields_set if f != "capacity" and getattr(self, f) is None
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)}: may be left out, but not null")
        return self


class OfferingOut(OfferingDetails):
    status: str


class Reason(Body):
    reason: Text = ""


class AuditIn(Body):
    school_id: UUID = Field(description="The audited school.")
    board_id: UUID
    theme: Name
    audit_date: date
    team: tuple[AuditTeamMember, ...] = Field(min_length=1, max_length=20)


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
    reason: str


def catalogue(request: Request) -> Catalogue:
    runtime = runtime_of(request)
    return Catalogue(runtime.pool, runtime.source)


Service = Annotated[Catalogue, Depends(catalogue)]


def _offering_out(o: Offering) -> OfferingOut:
    return OfferingOut(**o.details.model_dump(), status=o.status.value)


def _audit_out(a: Audit) -> AuditOut:
    fields: dict[str, Any] = {k: getattr(a, k) for k in AuditOut.model_fields}
    return AuditOut(**fields)


def _academy_out(a: Academy) -> AcademyOut:
    return AcademyOut(academy_id=a.academy_id, board_id=a.board_id, name=a.name)


@router.post("/academies", status_code=status.HTTP_201_CREATED, tags=["academies"])
async def create_academy(body: AcademyIn, svc: Service) -> AcademyOut:
    return _academy_out(await svc.create_academy(body.name, body.board_id))


@router.get("/academies/{academy_id}", tags=["academies"])
async def get_academy(academy_id: UUID, svc: Service) -> AcademyOut:
    return _academy_out(await svc.academy(academy_id))


@router.post("/offerings", status_code=status.HTTP_201_CREATED, tags=["offerings"])
async def publish_offering(body: OfferingIn, svc: Service) -> OfferingOut:
    """Publish an offering (CourseOffered)."""
    fields = body.model_dump(exclude={"academy_id"})
    return _offering_out(await svc.publish_offering(body.academy_id, fields))


@router.get("/offerings", tags=["offerings"])
async def list_offerings(
    svc: Service, academy_id: Annotated[UUID | None, Query()] = None
) -> list[OfferingOut]:
    return [_offering_out(o) for o in await svc.offerings(academy_id)]


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def get_offering(offering_id: UUID, svc: Service) -> OfferingOut:
    return _offering_out(await svc.offering(offering_id))


@router.patch("/offerings/{offering_id}", tags=["offerings"])
async def update_offering(offering_id: UUID, body: OfferingPatch, svc: Service) -> OfferingOut:
    """Change a published offering (CourseUpdated, naming what changed)."""
    changes = body.model_dump(exclude_unset=True)
    return _offering_out(await svc.update_offering(offering_id, changes))


@router.post("/offerings/{offering_id}/withdraw", tags=["offerings"])
async def withdraw_offering(offering_id: UUID, body: Reason, svc: Service) -> OfferingOut:
    """Withdraw an offering: cancelled for everyone (CourseWithdrawn)."""
    return _offering_out(await svc.withdraw_offering(offering_id, body.reason))


@router.post("/audits", status_code=status.HTTP_201_CREATED, tags=["audits"])
async def schedule_audit(body: AuditIn, svc: Service) -> AuditOut:
    """Plan a peer audit with a team from other schools (AuditScheduled)."""
    audit = await svc.schedule_audit(
        body.school_id, body.board_id, body.theme, body.audit_date, body.team
    )
    return _audit_out(audit)


@router.post("/audits/{audit_id}/complete", tags=["audits"])
async def complete_audit(audit_id: UUID, body: AuditCompletion, svc: Service) -> AuditOut:
    """Record the findings; each auditor is credited the hours (AuditCompleted)."""
    return _audit_out(await svc.complete_audit(audit_id, body.findings, body.hours_per_auditor))


@router.post("/audits/{audit_id}/cancel", tags=["audits"])
async def cancel_audit(audit_id: UUID, body: Reason, svc: Service) -> AuditOut:
    return _audit_out(await svc.cancel_audit(audit_id, body.reason))


@router.get("/audits", tags=["audits"])
async def list_audits(
    svc: Service, school_id: Annotated[UUID | None, Query()] = None
) -> list[AuditOut]:
    return [_audit_out(a) for a in await svc.audits(school_id)]


@router.get("/audits/{audit_id}", tags=["audits"])
async def get_audit(audit_id: UUID, svc: Service) -> AuditOut:
    return _audit_out(await svc.audit(audit_id))
