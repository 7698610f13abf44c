"""The portfolio's HTTP API for people's rights: erasure by the board's privacy officer."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from services.portfolio.api.schemas import ErasureIn, ErasureOut
from services.portfolio.commands import Erasure
from services.shared.http import runtime_of
from services.shared.identity.http import Forbidden, Who

router = APIRouter(tags=["privacy"])


async def _erasure(request: Request, who: Who) -> Erasure:
    return Erasure(runtime_of(request).database, who.directory)


@router.post("/staff/{staff_id}/erasure")
async def erase(
    staff_id: UUID, body: ErasureIn, erasure: Annotated[Erasure, Depends(_erasure)], who: Who
) -> ErasureOut:
    """Erase a staff member of your board (GDPR article 17), saying why: their key is
    destroyed, the portfolio and every consumer forget them (PersonErased), and the
    directory no longer links their id to them."""
    await who.allow_staff(staff_id)
    officer = who.principal.staff_id
    if officer is None:
        raise Forbidden("an erasure is a person's decision: sign in as the privacy officer")
    erased_at = await erasure.erase(staff_id, officer, body.reason)
    return ErasureOut(staff_id=staff_id, erased_at=erased_at)
