"""The portfolio's HTTP API for people's rights: the data export (GDPR articles 15 and 20),
of the portfolio's part and of the whole bundle, and erasure by the board's privacy
officer (article 17)."""

import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import IO, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from services.portfolio.api.deps import Queries
from services.portfolio.api.schemas import ErasureIn, ErasureOut, entry_out
from services.portfolio.commands import Erasure
from services.shared.http import runtime_of
from services.shared.identity.access import Target
from services.shared.identity.http import Forbidden, Who
from services.shared.privacy.export import (
    Bundle,
    BundledFile,
    ExportPart,
    PartMissing,
    gather,
)
from services.shared.runtime import NotReady

router = APIRouter(tags=["privacy"])


@router.get("/staff/{staff_id}/export")
async def export_part(staff_id: UUID, q: Queries, who: Who) -> ExportPart:
    """What the portfolio holds about the person: how the directory knows them, their
    profile, entries with evidence, reflections and school leaders' notes about them,
    plans, the audits they were on the team of, the follow-ups they recorded, and their
    evidence files."""
    await who.allow_staff(staff_id)
    records = await q.personal_records(staff_id)
    person = await who.directory.person(staff_id)
    directory = None
    if person is not None:
        directory = {
            **asdict(person),
            "sign_ins": [
                {"issuer": i, "subject": s} for i, s in await who.directory.sign_ins(staff_id)
            ],
        }
    data = {
        "directory": directory,
        "profile": asdict(records.profile) if records.profile else None,
        "entries": [entry_out(e).model_dump(mode="json") for e in records.entries],
        "plans": records.plans,
        "audit_roles": records.audit_roles,
        "follow_ups_recorded": records.follow_ups_recorded,
        "evidence_files": [
            {
                **f,
                "in_bundle": Bundle.place("portfolio", _named(f)),
                "url": f"/evidence/{f['evidence_id']}",
            }
            for f in records.files
        ],
    }
    return ExportPart.now("portfolio", staff_id, data)


def _named(file: dict[str, Any]) -> str:
    return f"{file['evidence_id']}/{file['file_name']}"


@router.get(
    "/staff/{staff_id}/export.zip",
    response_class=Response,
    responses={
        200: {
            "description": "One zip: manifest.json, a JSON document per service, the files.",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def export(staff_id: UUID, request: Request, q: Queries, who: Who) -> Response:
    """Everything huisacademie holds about the person (GDPR articles 15 and 20), from every
    service, in one machine-readable bundle: for the person themself and for their
    board's privacy officer."""
    own = await export_part(staff_id, q, who)
    configured = runtime_of(request).settings.export_parts_from
    sources = {name: url for name, url in configured.items() if name != own.service}
    if not sources:
        raise NotReady("EXPORT_PARTS_FROM names no other service: the export would be incomplete")
    try:
        others = await gather(sources, staff_id, request.headers["authorization"])
    except PartMissing as e:
        raise NotReady(f"{e}: the export would be incomplete, try again") from e
    exported_at = datetime.now(UTC)
    # Written to a spooled file (to disk past 8 MiB), one evidence file at a time, and
    # sent from there: a person with many files never has them all in memory at once.
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - _chunks closes it
    try:
        made = Bundle(staff_id, exported_at, spool)
        for part in (own, *others):
            made.part(part)
        for listed in own.data["evidence_files"]:
            found = await q.evidence_file(listed["evidence_id"])
            made.file("portfolio", BundledFile(_named(listed), found.media_type, found.content))
        made.close()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    name = f"huisacademie-export-{staff_id}-{exported_at:%Y%m%d}.zip"
    return StreamingResponse(
        _chunks(spool),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(1 << 20):
            yield chunk
    finally:
        spool.close()


async def _erasure(request: Request, who: Who) -> Erasure:
    return Erasure(runtime_of(request).database, who.directory)


@router.post("/staff/{staff_id}/erasure")
async def erase(
    staff_id: UUID,
    body: ErasureIn,
    erasure: Annotated[Erasure, Depends(_erasure)],
    q: Queries,
    who: Who,
) -> ErasureOut:
    """Erase a staff member of your board (GDPR article 17), saying why: their key is
    destroyed, the portfolio and every consumer forget them (PersonErased), and the
    directory no longer links their id to them. Someone no longer in the directory is
    your board's when the portfolio last knew them there (their profile or departure)."""
    target = await who.directory.staff_target(staff_id)
    if target.board_id is None:
        # Gone from the directory already (left, or removed by HR): the board the portfolio
        # last knew them at is the one whose privacy officer may still erase what is left.
        target = Target(staff_id=staff_id, board_id=await q.last_board_of(staff_id))
    who.allow(target)
    officer = who.principal.staff_id
    if officer is None:
        raise Forbidden("an erasure is a person's decision: sign in as the privacy officer")
    erased_at = await erasure.erase(staff_id, officer, body.reason)
    return ErasureOut(staff_id=staff_id, erased_at=erased_at)
