"""The portfolio's HTTP commands: learning outside the academies, evidence, reflections
and school leaders' notes (EntryAdded, EvidenceAdded, ReflectionAdded, LeaderNoteAdded)."""

import base64
from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Request, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints, model_validator

from contracts.portfolio import EntryAdded, LearningKind, StaffProfileSet
from contracts.values import Domains, GoalTags, Hours, Name, Plain, Sector, StaffRole, Text
from services.portfolio import store
from services.portfolio.api import Commands, EntryOut, entry_out
from services.portfolio.commands import Upload
from services.shared.errors import CommandRejected
from services.shared.http import runtime_of

router = APIRouter(tags=["portfolio"])
MAX_FILE = 5 * 1024 * 1024


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntryIn(Body):
    title: Name
    kind: LearningKind
    provider: Plain = Field(default="", max_length=200)
    hours: Hours
    completed_on: date
    domains: Domains = ()
    goal_tags: GoalTags = ()
    description: Plain = Field(default="", max_length=5000)


class FileIn(Body):
    name: Name
    media_type: str = Field(
        default="application/octet-stream", max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$"
    )
    content_base64: str = Field(
        max_length=(MAX_FILE * 4) // 3 + 8, pattern=r"^[A-Za-z0-9+/]*={0,2}$", examples=["aGFsbG8="]
    )


class EvidenceIn(Body):
    """A link, or a file (at most 5 MiB, base64)."""

    link: Annotated[AnyHttpUrl, UrlConstraints(max_length=2000)] | None = None
    file: FileIn | None = None
    description: Text = ""

    @model_validator(mode="after")
    def _one_of(self) -> "EvidenceIn":
        if (self.link is None) == (self.file is None):
            raise ValueError("give either a link or a file")
        return self


class TextIn(Body):
    text: Plain = Field(min_length=1, max_length=10_000)


class NoteIn(TextIn):
    leader_id: UUID


@router.post("/staff/{staff_id}/entries", status_code=status.HTTP_201_CREATED)
async def add_entry(staff_id: UUID, body: EntryIn, cmd: Commands) -> EntryOut:
    """Learning outside the academies (a conference, a study), with its hours."""
    event = EntryAdded(staff_id=staff_id, entry_id=uuid4(), **body.model_dump())
    return entry_out(await cmd.add_entry(event))


@router.post("/staff/{staff_id}/entries/{entry_id}/evidence", status_code=status.HTTP_201_CREATED)
async def add_evidence(staff_id: UUID, entry_id: UUID, body: EvidenceIn, cmd: Commands) -> EntryOut:
    upload = None
    if body.file is not None:
        try:
            content = base64.b64decode(body.file.content_base64, validate=True)
        except ValueError as e:  # binascii.Error, or characters outside ASCII
            raise CommandRejected(f"file.content_base64: not valid base64 ({e})") from e
        if len(content) > MAX_FILE:
            raise CommandRejected("file: larger than 5 MiB")
        upload = Upload(body.file.name, body.file.media_type, content)
    link = str(body.link) if body.link else None
    entry = await cmd.add_evidence(
        staff_id, entry_id, link=link, upload=upload, description=body.description
    )
    return entry_out(entry)


@router.post(
    "/staff/{staff_id}/entries/{entry_id}/reflections", status_code=status.HTTP_201_CREATED
)
async def add_reflection(staff_id: UUID, entry_id: UUID, body: TextIn, cmd: Commands) -> EntryOut:
    """The staff member's reflection on any entry of theirs."""
    return entry_out(await cmd.add_reflection(staff_id, entry_id, body.text))


@router.post("/staff/{staff_id}/entries/{entry_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(staff_id: UUID, entry_id: UUID, body: NoteIn, cmd: Commands) -> EntryOut:
    """A school leader's note on an entry."""
    return entry_out(await cmd.add_note(staff_id, entry_id, body.leader_id, body.text))


class ProfileIn(Body):
    board_id: UUID
    role: StaffRole
    sector: Sector
    fte: float = Field(
        # Kept to three decimals: anything less than 0.001 would be kept as no job at all.
        ge=0.001,
        le=1.5,
        description="1.0 is a full-time job; kept to three decimals.",
    )
    school_ids: tuple[UUID, ...] = Field(default=(), max_length=20)
    team: Plain = Field(default="", max_length=100)


class TargetsIn(Body):
    hours_per_year: dict[StaffRole, Annotated[float, Field(ge=0, le=1000)]] = Field(
        description="Hours a year at full time, per role; roles left out follow the defaults."
    )


@router.put("/staff/{staff_id}/profile")
async def set_profile(staff_id: UUID, body: ProfileIn, cmd: Commands) -> ProfileIn:
    """Board, role, sector and FTE: what the yearly target follows (StaffProfileSet)."""
    await cmd.set_profile(StaffProfileSet(staff_id=staff_id, **body.model_dump()))
    return body


@router.put("/boards/{board_id}/targets")
async def set_targets(board_id: UUID, body: TargetsIn, request: Request) -> TargetsIn:
    """A board's yearly targets per role, at full time (pro rata by FTE per person)."""
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        await store.set_board_targets(
            conn, board_id, {r.value: h for r, h in body.hours_per_year.items()}
        )
    return body
