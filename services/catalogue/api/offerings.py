"""The catalogue's HTTP API for academies and offerings."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from contracts.values import Visibility
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
from services.catalogue.store.search import OfferingFilters, OfferingQuery
from services.shared.errors import NotFound
from services.shared.identity.access import Role, Target
from services.shared.identity.http import Caller, Forbidden, Who

router = APIRouter()


@router.post("/academies", status_code=status.HTTP_201_CREATED, tags=["academies"])
async def create_academy(body: AcademyIn, cmd: Commands, who: Who) -> AcademyOut:
    who.allow(Target(board_id=body.board_id), named=False)
    return academy_out(await cmd.create_academy(body.name, body.board_id))


@router.get("/academies/{academy_id}", tags=["academies"])
async def get_academy(academy_id: UUID, q: Queries) -> AcademyOut:
    return academy_out(await q.academy(academy_id))


@router.post("/offerings", status_code=status.HTTP_201_CREATED, tags=["offerings"])
async def publish_offering(body: OfferingIn, cmd: Commands, who: Who) -> OfferingOut:
    """Publish an offering (CourseOffered)."""
    who.allow(Target(academy_id=body.academy_id), named=False)
    fields = body.model_dump(exclude={"academy_id"})
    return offering_out(await cmd.publish_offering(body.academy_id, fields))


@router.get("/offerings", tags=["offerings"])
async def search_offerings(
    q: Queries, who: Who, filters: Annotated[OfferingFilters, Query()]
) -> list[OfferingOut]:
    """Search the offerings shown to the caller's board; the filters combine. Dates are
    calendar dates in Europe/Amsterdam."""
    if who.principal.board_id is None:
        raise Forbidden("searching the catalogue is for a board's people and tools")
    query = OfferingQuery(**filters.model_dump(), visible_to=who.principal.board_id)
    return [offering_out(v) for v in await q.search(query)]


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def get_offering(offering_id: UUID, q: Queries, who: Who) -> OfferingOut:
    view, target = await q.offering_target(offering_id)
    if not _shown(who, view.offering.details.visibility, target):
        raise NotFound(f"no offering {offering_id}")
    return offering_out(view)


def _shown(who: Caller, visibility: Visibility, target: Target) -> bool:
    """An offering shown to its own board only is found by that board and its academy."""
    principal = who.principal
    return (
        visibility is not Visibility.OWN_BOARD
        or principal.board_id == target.board_id
        or (Role.ACADEMY_ADMIN in principal.roles and target.academy_id in principal.academies)
    )


@router.patch("/offerings/{offering_id}", tags=["offerings"])
async def update_offering(
    offering_id: UUID, body: OfferingPatch, cmd: Commands, q: Queries, who: Who
) -> OfferingOut:
    """Change a published offering (CourseUpdated, naming what changed; version + 1)."""
    who.allow((await q.offering_target(offering_id))[1])
    changes = body.model_dump(exclude_unset=True)
    return offering_out(await cmd.update_offering(offering_id, changes))


@router.post("/offerings/{offering_id}/withdraw", tags=["offerings"])
async def withdraw_offering(
    offering_id: UUID, body: Reason, cmd: Commands, q: Queries, who: Who
) -> OfferingOut:
    """Withdraw an offering: cancelled for everyone (CourseWithdrawn)."""
    who.allow((await q.offering_target(offering_id))[1])
    return offering_out(await cmd.withdraw_offering(offering_id, body.reason))
