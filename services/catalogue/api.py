"""The catalogue's HTTP API: academies and offerings; audits and programmes in their own
routers, included here."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from contracts.values import (
    Audience,
    CompetenceDomain,
    CompletionCriteria,
    Credits,
    Domains,
    GoalTag,
    GoalTags,
    Hours,
    Name,
    OfferingDetails,
    OfferingKind,
    Plain,
    Sector,
    Session,
    StaffRole,
    Visibility,
)
from services.catalogue import api_audits, api_programmes
from services.catalogue.api_common import Body, Reason, Service
from services.catalogue.domain import Academy, OfferingView
from services.catalogue.search import OfferingQuery, StatusFilter

router = APIRouter()
router.include_router(api_audits.router)
router.include_router(api_programmes.router)


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


class OfferingFields(Body):
    title: Name
    description: Plain = Field(default="", max_length=5000)
    kind: OfferingKind
    sessions: Sessions = ()
    capacity: Seats | None = Field(default=None, description="Absent or null: unlimited.")
    study_hours: Hours
    domains: Domains = ()
    goal_tags: GoalTags = ()
    visibility: Visibility = Visibility.OWN_BOARD
    enrolment_opens: AwareDatetime | None = Field(default=None, description="Absent: open now.")
    enrolment_closes: AwareDatetime | None = Field(default=None, description="Absent: no end.")
    audience: Audience = Audience()
    credits: Credits | None = None
    completion: CompletionCriteria = CompletionCriteria()
    requires_approval: bool = False


class OfferingIn(OfferingFields):
    academy_id: UUID


_NULLABLE = frozenset({"capacity", "enrolment_opens", "enrolment_closes", "credits"})


class OfferingPatch(Body):
    """Only the fields present change; `capacity: null` makes seats unlimited, and a null
    window bound or `credits` removes it."""

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


def _offering_out(v: OfferingView) -> OfferingOut:
    return OfferingOut(
        **v.offering.details.model_dump(),
        status=v.offering.status.value,
        seats_taken=v.seats_taken,
        seats_free=v.seats_free,
    )


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
async def search_offerings(
    svc: Service,
    academy_id: UUID | None = None,
    kind: OfferingKind | None = None,
    role: Annotated[StaffRole | None, Query(description="For everyone, or this role.")] = None,
    sector: Annotated[Sector | None, Query(description="For every sector, or this.")] = None,
    domain: CompetenceDomain | None = None,
    goal_tag: GoalTag | None = None,
    starts_from: Annotated[date | None, Query(description="A session on or after.")] = None,
    starts_until: Annotated[date | None, Query(description="A session on or before.")] = None,
    open_seats: Annotated[bool, Query(description="Only offerings with a free seat.")] = False,
    visible_to: Annotated[UUID | None, Query(description="As seen from this board.")] = None,
    status: StatusFilter = StatusFilter.PUBLISHED,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[OfferingOut]:
    """Search offerings; the filters combine. Dates are calendar dates in Europe/Amsterdam."""
    query = OfferingQuery(
        academy_id=academy_id,
        kind=kind,
        role=role,
        sector=sector,
        domain=domain,
        goal_tag=goal_tag,
        starts_from=starts_from,
        starts_until=starts_until,
        open_seats=open_seats,
        visible_to=visible_to,
        status=status,
        limit=limit,
        offset=offset,
    )
    return [_offering_out(v) for v in await svc.search(query)]


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def get_offering(offering_id: UUID, svc: Service) -> OfferingOut:
    return _offering_out(await svc.offering(offering_id))


@router.patch("/offerings/{offering_id}", tags=["offerings"])
async def update_offering(offering_id: UUID, body: OfferingPatch, svc: Service) -> OfferingOut:
    """Change a published offering (CourseUpdated, naming what changed; version + 1)."""
    changes = body.model_dump(exclude_unset=True)
    return _offering_out(await svc.update_offering(offering_id, changes))


@router.post("/offerings/{offering_id}/withdraw", tags=["offerings"])
async def withdraw_offering(offering_id: UUID, body: Reason, svc: Service) -> OfferingOut:
    """Withdraw an offering: cancelled for everyone (CourseWithdrawn)."""
    return _offering_out(await svc.withdraw_offering(offering_id, body.reason))
