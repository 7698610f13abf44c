"""The catalogue's HTTP API for academies and offerings."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.catalogue.api.deps import Commands, Queries
from services.catalogue.api.schemas import (
    AcademyIn,
    AcademyOut,
    OfferingIn,
    OfferingOut,
    OfferingPatch,
    Reason,
    academy_out,
    offering_out,
)
from services.catalogue.store.search import OfferingQuery

router = APIRouter()


@router.post("/academies", status_code=status.HTTP_201_CREATED, tags=["academies"])
async def create_academy(body: AcademyIn, cmd: Commands) -> AcademyOut:
    return academy_out(await cmd.create_academy(body.name, body.board_id))


@router.get("/academies/{academy_id}", tags=["academies"])
async def get_academy(academy_id: UUID, q: Queries) -> AcademyOut:
    return academy_out(await q.academy(academy_id))


@router.post("/offerings", status_code=status.HTTP_201_CREATED, tags=["offerings"])
async def publish_offering(body: OfferingIn, cmd: Commands) -> OfferingOut:
    """Publish an offering (CourseOffered)."""
    fields = body.model_dump(exclude={"academy_id"})
    return offering_out(await cmd.publish_offering(body.academy_id, fields))


@router.get("/offerings", tags=["offerings"])
async def search_offerings(
    q: Queries, query: Annotated[OfferingQuery, Query()]
) -> list[OfferingOut]:
    """Search offerings; the filters combine. Dates are calendar dates in Europe/Amsterdam."""
    return [offering_out(v) for v in await q.search(query)]


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def get_offering(offering_id: UUID, q: Queries) -> OfferingOut:
    return offering_out(await q.offering(offering_id))


@router.patch("/offerings/{offering_id}", tags=["offerings"])
async def update_offering(offering_id: UUID, body: OfferingPatch, cmd: Commands) -> OfferingOut:
    """Change a published offering (CourseUpdated, naming what changed; version + 1)."""
    changes = body.model_dump(exclude_unset=True)
    return offering_out(await cmd.update_offering(offering_id, changes))


@router.post("/offerings/{offering_id}/withdraw", tags=["offerings"])
async def withdraw_offering(offering_id: UUID, body: Reason, cmd: Commands) -> OfferingOut:
    """Withdraw an offering: cancelled for everyone (CourseWithdrawn)."""
    return offering_out(await cmd.withdraw_offering(offering_id, body.reason))
