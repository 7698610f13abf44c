"""The catalogue's request and response bodies."""

from dataclasses import asdict
from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from contracts.values import (
    Audience,
    AuditorCredit,
    AuditTeamMember,
    CompletionCriteria,
    Credits,
    Domains,
    Findings,
    GoalTags,
    Hours,
    Name,
    OfferingContent,
    OfferingDetails,
    Plain,
    Session,
    Text,
    Visibility,
)
from services.catalogue.domain.audits import Audit
from services.catalogue.domain.offerings import Academy, OfferingView
from services.catalogue.domain.programmes import MAX_OFFERINGS, Programme


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(Body):
    reason: Text = ""


class AcademyIn(Body):
    name: Name
    board_id: UUID


class AcademyOut(BaseModel):
    academy_id: UUID
    board_id: UUID
    name: str


Seats = Annotated[int, Field(ge=1, le=100_000)]
Sessions = Annotated[
    tuple[Session, ...],
    Field(max_length=100, description="Leave session_id out for a new session."),
]


class OfferingIn(OfferingContent):
    """An offering to publish: what the contracts say an academy writes about it (the
    catalogue gives the ids and the version), with the API's own bounds on seats and
    sessions."""

    model_config = ConfigDict(extra="forbid")

    academy_id: UUID
    sessions: Sessions = ()
    capacity: Seats | None = Field(default=None, description="Absent or null: unlimited.")


_NULLABLE = frozenset({"capacity", "enrolment_opens", "enrolment_closes", "credits"})


class OfferingPatch(Body):
    """Only the fields present change; `capacity: null` makes seats unlimited, and a null
    window bound or `credits` removes it. The fields are OfferingContent's but the kind,
    each optional (a unit test holds the two lists together)."""

    title: Name | None = None
    description: Plain | None = Field(default=None, max_length=5000)
    sessions: Sessions | None = None
    capacity: Seats | None = None
    study_hours: Hours | None = None
    domains: Domains | None = None
    goal_tags: GoalTags | None = None
    visibility: Visibility | None = None
    enrolment_opens: AwareDatetime | None = None
    enrolment_closes: AwareDatetime | None = None
    audience: Audience | None = None
    credits: Credits | None = None
    completion: CompletionCriteria | None = None
    requires_approval: bool | None = None

    @model_validator(mode="after")
    def _only_some_may_be_null(self) -> "OfferingPatch":
        nulls = sorted(
            f for f in self.model_fields_set if f not in _NULLABLE and getattr(self, f) is None
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)}: may be left out, but not null")
        return self


class OfferingOut(OfferingDetails):
    status: str
    seats_taken: int = Field(description="Seats held by enrolled staff.")
    seats_free: int | None = Field(description="Null when seats are unlimited.")


def offering_out(v: OfferingView) -> OfferingOut:
    return OfferingOut(
        **v.offering.details.model_dump(),
        status=v.offering.status.value,
        seats_taken=v.seats_taken,
        seats_free=v.seats_free,
    )


def academy_out(a: Academy) -> AcademyOut:
    return AcademyOut(academy_id=a.academy_id, board_id=a.board_id, name=a.name)


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


def audit_out(a: Audit) -> AuditOut:
    return AuditOut.model_validate(asdict(a))


def _distinct(ids: tuple[UUID, ...]) -> tuple[UUID, ...]:
    if len(set(ids)) != len(ids):
        raise ValueError("offering_ids must be distinct")
    return ids


class ProgrammeIn(Body):
    academy_id: UUID
    title: Name
    offering_ids: Annotated[
        tuple[UUID, ...],
        AfterValidator(_distinct),
        Field(min_length=1, max_length=MAX_OFFERINGS, description="In the order to follow."),
    ]


class ProgrammeOut(BaseModel):
    programme_id: UUID
    academy_id: UUID
    title: str
    offering_ids: tuple[UUID, ...]


def programme_out(p: Programme) -> ProgrammeOut:
    return ProgrammeOut.model_validate(asdict(p))
