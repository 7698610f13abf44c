"""The catalogue's HTTP API for programmes: ordered paths of offerings."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.catalogue.api.deps import Commands, Queries
from services.catalogue.api.schemas import ProgrammeIn, ProgrammeOut, programme_out
from services.shared.identity.access import Target
from services.shared.identity.http import Who

router = APIRouter(tags=["programmes"])


@router.post("/programmes", status_code=status.HTTP_201_CREATED)
async def offer_programme(body: ProgrammeIn, cmd: Commands, who: Who) -> ProgrammeOut:
    """Publish a programme of the academy's own offerings (ProgrammeOffered)."""
    who.allow(Target(academy_id=body.academy_id), named=False)
    programme = await cmd.offer_programme(body.academy_id, body.title, body.offering_ids)
    return programme_out(programme)


@router.get("/programmes")
async def list_programmes(
    q: Queries, academy_id: Annotated[UUID | None, Query()] = None
) -> list[ProgrammeOut]:
    return [programme_out(p) for p in await q.programmes(academy_id)]


@router.get("/programmes/{programme_id}")
async def get_programme(programme_id: UUID, q: Queries) -> ProgrammeOut:
    return programme_out(await q.programme(programme_id))
