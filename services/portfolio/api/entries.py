"""The portfolio's HTTP API for entries: learning outside the academies, evidence,
reflections and school leaders' notes (EntryAdded, EvidenceAdded, ReflectionAdded,
LeaderNoteAdded)."""

import base64
from uuid import UUID, uuid4

from fastapi import APIRouter, status

from contracts.portfolio import EntryAdded
from services.portfolio.api.deps import Commands
from services.portfolio.api.schemas import (
    MAX_FILE,
    EntryIn,
    EntryOut,
    EvidenceIn,
    NoteIn,
    TextIn,
    entry_out,
)
from services.portfolio.api.uploads import check_file
from services.portfolio.commands import Upload
from services.shared.errors import CommandRejected
from services.shared.identity.http import Who

router = APIRouter(tags=["portfolio"])


@router.post("/staff/{staff_id}/entries", status_code=status.HTTP_201_CREATED)
async def add_entry(staff_id: UUID, body: EntryIn, cmd: Commands, who: Who) -> EntryOut:
    """Learning outside the academies (a conference, a study), with its hours."""
    await who.allow_staff(staff_id)
    event = EntryAdded(staff_id=staff_id, entry_id=uuid4(), **body.model_dump())
    return entry_out(await cmd.add_entry(event))


@router.post("/staff/{staff_id}/entries/{entry_id}/evidence", status_code=status.HTTP_201_CREATED)
async def add_evidence(
    staff_id: UUID, entry_id: UUID, body: EvidenceIn, cmd: Commands, who: Who
) -> EntryOut:
    await who.allow_staff(staff_id)
    upload = None
    if body.file is not None:
        try:
            content = base64.b64decode(body.file.content_base64, validate=True)
        except ValueError as e:  # binascii.Error, or characters outside ASCII
            raise CommandRejected(f"file.content_base64: not valid base64 ({e})") from e
        if len(content) > MAX_FILE:
            raise CommandRejected("file: larger than 5 MiB")
        check_file(body.file.media_type, content)
        upload = Upload(body.file.name, body.file.media_type, content)
    link = str(body.link) if body.link else None
    entry = await cmd.add_evidence(
        staff_id, entry_id, link=link, upload=upload, description=body.description
    )
    return entry_out(entry)


@router.post(
    "/staff/{staff_id}/entries/{entry_id}/reflections", status_code=status.HTTP_201_CREATED
)
async def add_reflection(
    staff_id: UUID, entry_id: UUID, body: TextIn, cmd: Commands, who: Who
) -> EntryOut:
    """The staff member's reflection on any entry of theirs."""
    await who.allow_staff(staff_id)
    return entry_out(await cmd.add_reflection(staff_id, entry_id, body.text))


@router.post("/staff/{staff_id}/entries/{entry_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(
    staff_id: UUID, entry_id: UUID, body: NoteIn, cmd: Commands, who: Who
) -> EntryOut:
    """A school leader's note on an entry of one of their schools' staff."""
    await who.allow_staff(staff_id)
    leader = who.acts_as(body.leader_id, "leader_id")
    return entry_out(await cmd.add_note(staff_id, entry_id, leader, body.text))
