"""Events published by the portfolio service: what staff and school leaders add to a
portfolio themselves. All are keyed by staff member id."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts import topics
from contracts.event import Event
from contracts.personal import (
    WrittenDescription,
    WrittenLink,
    WrittenNote,
    WrittenReason,
    WrittenShort,
    WrittenTitle,
)
from contracts.values import (
    Domains,
    Employed,
    GoalTags,
    Hours,
    Plain,
    Sector,
    StaffRole,
    Text,
)


class _PortfolioEvent(Event):
    topic: ClassVar[str] = topics.PORTFOLIO
    staff_id: UUID
    entry_id: UUID = Field(description="The portfolio entry it is about or adds.")
    employer: Employed = None

    def key(self) -> str:
        return str(self.staff_id)

    def data_subject(self) -> UUID:
        return self.staff_id


class LearningKind(StrEnum):
    CONFERENCE = "conference"
    STUDY = "study"
    COURSE = "course"
    READING = "reading"
    OTHER = "other"


class EntryAdded(_PortfolioEvent):
    """A staff member added learning outside the academies (a conference, a study)."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.entry_added.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.portfolio.entry_added.v1",)
    personal: ClassVar[tuple[str, ...]] = ("title", "provider", "description")
    title: WrittenTitle
    kind: LearningKind
    provider: WrittenShort = Field(default="", description="Who offered it.")
    hours: Hours
    completed_on: date
    domains: Domains = ()
    goal_tags: GoalTags = ()
    description: WrittenDescription = ""


class EvidenceAdded(_PortfolioEvent):
    """Evidence for an entry: a link, or a file kept by the portfolio service."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.evidence_added.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.portfolio.evidence_added.v1",)
    personal: ClassVar[tuple[str, ...]] = ("link", "file_name", "description")
    evidence_id: UUID
    link: WrittenLink | None = None
    file_name: WrittenShort | None = None
    media_type: Plain | None = Field(default=None, max_length=100)
    size: int | None = Field(default=None, ge=0)
    sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")
    description: WrittenReason = ""


class ReflectionAdded(_PortfolioEvent):
    """The staff member's reflection on an entry: what they learned, what they apply."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.reflection_added.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.portfolio.reflection_added.v1",)
    personal: ClassVar[tuple[str, ...]] = ("text",)
    reflection_id: UUID
    text: WrittenNote


class LeaderNoteAdded(_PortfolioEvent):
    """A school leader's note on an entry: sealed with the key of the staff member it is
    about (it is erased with them, not with the leader)."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.leader_note_added.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.portfolio.leader_note_added.v1",)
    personal: ClassVar[tuple[str, ...]] = ("text",)
    note_id: UUID
    leader_id: UUID
    text: WrittenNote


class FollowUpRecorded(Event):
    """A school recorded an action on a point to improve from a peer audit; `closed` says
    whether the point is dealt with."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.follow_up_recorded.v1"
    topic: ClassVar[str] = topics.SCHOOL_AUDITS
    school_id: UUID
    audit_id: UUID
    follow_up_id: UUID
    point_index: int = Field(ge=0, description="Which point to improve, counted from 0.")
    point: Text = Field(description="The point to improve, as the audit team wrote it.")
    action: Plain = Field(min_length=1, max_length=5000)
    closed: bool = False
    recorded_by: UUID
    recorded_at: datetime | None = Field(default=None, description="When the school recorded it.")

    def key(self) -> str:
        return str(self.school_id)


class StaffProfileSet(Event):
    """What the portfolio needs to know about a staff member to set a target: board, role,
    sector and the share of a full-time job (FTE)."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.staff_profile_set.v1"
    topic: ClassVar[str] = topics.PORTFOLIO
    staff_id: UUID
    board_id: UUID
    role: StaffRole
    sector: Sector
    fte: float = Field(gt=0, le=1.5, description="1.0 is a full-time job.")
    school_ids: tuple[UUID, ...] = Field(default=(), max_length=20, description="Where they work.")
    team: Plain = Field(default="", max_length=100, examples=["groep 3-4"])

    def key(self) -> str:
        return str(self.staff_id)


class PlanGoal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)
    goal_id: UUID
    title: WrittenTitle = Field(description="What the person wrote: sealed with their key.")
    domains: Domains = ()
    goal_tags: GoalTags = ()
    target_hours: Hours


class PlanSet(Event):
    """A staff member's personal development plan (POP) for a school year: goals linked to
    competence domains and goal tags. A new plan for the same year replaces the old one.
    Version 2: each goal's title, which the person wrote, is sealed with their key."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.plan_set.v2"
    replaces: ClassVar[tuple[str, ...]] = ("nl.huisacademie.portfolio.plan_set.v1",)
    personal: ClassVar[tuple[str, ...]] = ("goals[].title",)
    topic: ClassVar[str] = topics.PORTFOLIO
    staff_id: UUID
    school_year: str = Field(pattern=r"^[0-9]{4}-[0-9]{4}$", examples=["2026-2027"])
    goals: tuple[PlanGoal, ...] = Field(max_length=20)
    employer: Employed = None

    def key(self) -> str:
        return str(self.staff_id)

    def data_subject(self) -> UUID:
        return self.staff_id


class StaffLeft(Event):
    """The staff member left the board's employment (recorded by its HR administration).
    The board keeps their dossier for its retention period after this day, then they are
    erased without anyone asking (PersonErased follows)."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.staff_left.v1"
    topic: ClassVar[str] = topics.PORTFOLIO
    staff_id: UUID
    board_id: UUID
    left_on: date = Field(description="Their last day of employment.")

    def key(self) -> str:
        return str(self.staff_id)

    def data_subject(self) -> UUID:
        return self.staff_id


class DepartureWithdrawn(Event):
    """The staff member's departure was recorded by mistake, or they came back before
    their retention period ended: they are not erased for it."""

    ce_type: ClassVar[str] = "nl.huisacademie.portfolio.departure_withdrawn.v1"
    topic: ClassVar[str] = topics.PORTFOLIO
    staff_id: UUID
    board_id: UUID

    def key(self) -> str:
        return str(self.staff_id)

    def data_subject(self) -> UUID:
        return self.staff_id


EVENTS: tuple[type[Event], ...] = (
    EntryAdded,
    EvidenceAdded,
    ReflectionAdded,
    LeaderNoteAdded,
    FollowUpRecorded,
    StaffProfileSet,
    PlanSet,
    StaffLeft,
    DepartureWithdrawn,
)
"""The portfolio's events, in the order the contracts document them."""
