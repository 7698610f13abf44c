"""The catalogue's HTTP API for programmes: ordered paths of offerings."""

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import AfterValidator, BaseModel, Field

from contracts.values import Name
from services.catalogue.api_common import Body, Service
from services.catalogue.programmes import MAX_OFFERINGS, Programme

router = APIRouter(tags=["programmes"])


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


def _programme_out(p: Programme) -> ProgrammeOut:
    return ProgrammeOut.model_validate(asdict(p))


@router.post("/programmes", status_code=status.HTTP_201_CREATED)
async def offer_programme(body: ProgrammeIn, svc: Service) -> ProgrammeOut:
    """Publish a programme of the academy's own offerings (ProgrammeOffered)."""
    programme = await svc.offer_programme(body.academy_id, body.title, body.offering_ids)
    return _programme_out(programme)


@router.get("/programmes")
async def list_programmes(
    svc: Service, academy_id: Annotated[UUID | None, Query()] = None
) -> list[ProgrammeOut]:
    return [_programme_out(p) for p in await svc.programmes(academy_id)]


@router.get("/programmes/{programme_id}")
async def get_programme(programme_id: UUID, svc: Service) -> ProgrammeOut:
    return _programme_out(await svc.programme(programme_id))
