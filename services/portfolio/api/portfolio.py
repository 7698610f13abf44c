"""The portfolio's HTTP API for the dossier (now or as it stood on a date), as JSON, a web
page or a PDF, and evidence files."""

import asyncio
from datetime import date
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from services.portfolio.api import dossier_pdf, page
from services.portfolio.api.deps import Queries
from services.portfolio.api.schemas import PortfolioOut, portfolio_out
from services.shared.clock import dutch_today
from services.shared.identity.http import Who

router = APIRouter(tags=["portfolio"])

AsOf = Annotated[
    date | None,
    Query(
        description="The portfolio as it stood at the end of this day.",
        ge=date(1900, 1, 1),
        le=date(9000, 12, 31),
    ),
]


@router.get("/staff/{staff_id}/portfolio")
async def portfolio(staff_id: UUID, q: Queries, who: Who, as_of: AsOf = None) -> PortfolioOut:
    """The staff member's competence dossier: every entry, and hours per school year; with
    as_of, as it stood then, replayed from the events recorded by that day. A staff member
    with no recorded activity has an empty portfolio."""
    await who.allow_staff(staff_id)
    return portfolio_out(await q.dossier(staff_id, as_of))


@router.get("/staff/{staff_id}/portfolio.html", response_class=HTMLResponse)
async def portfolio_page(staff_id: UUID, q: Queries, who: Who, as_of: AsOf = None) -> HTMLResponse:
    """The dossier as a web page, with a chart of hours per school year and domain."""
    await who.allow_staff(staff_id)
    d = await q.dossier(staff_id, as_of)
    html = page.render(staff_id, d.years, d.entries, as_of.isoformat() if as_of else None)
    return HTMLResponse(html)


@router.get(
    "/staff/{staff_id}/portfolio.pdf",
    response_class=Response,
    responses={
        200: {
            "description": "The dossier as a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def portfolio_pdf(staff_id: UUID, q: Queries, who: Who, as_of: AsOf = None) -> Response:
    """The dossier as a PDF: cover, ledger per school year, entries with their evidence,
    reflections and notes."""
    await who.allow_staff(staff_id)
    d = await q.dossier(staff_id, as_of)
    # Rendering takes a while for a long dossier: off the event loop, so nothing else waits.
    content = await asyncio.to_thread(
        dossier_pdf.render, staff_id, d.years, d.entries, as_of, dutch_today()
    )
    name = f"bekwaamheidsdossier-{staff_id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/evidence/{evidence_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, with the media type it was uploaded with.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def evidence_file(evidence_id: UUID, q: Queries, who: Who) -> Response:
    found = await q.evidence_file(evidence_id)
    await who.allow_staff(found.staff_id)
    disposition = f"attachment; filename*=UTF-8''{quote(found.name)}"
    headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
    return Response(found.content, media_type=found.media_type, headers=headers)
