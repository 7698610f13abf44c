"""The portfolio's request and response bodies."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Path
from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    UrlConstraints,
    model_validator,
)

from contracts.portfolio import LearningKind
from contracts.values import (
    Domains,
    EnrollmentStatus,
    GoalTags,
    Hours,
    Name,
    Plain,
    Sector,
    StaffRole,
    Text,
)
from services.portfolio.domain.hours import school_year, valid_school_year
from services.portfolio.domain.portfolio import Entry, EntrySource
from services.portfolio.queries import Dossier

MAX_FILE = 5 * 1024 * 1024


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


_YOU = "You, the signed-in caller: may be left out; naming someone else is refused."


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
        max_length=100,
        pattern=r"^[\w.+-]+/[\w.+-]+$",
        description="What the file is: a PDF, an image (PNG, JPEG), an Office document or"
        " plain text; its content must be of this type.",
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


class ErasureIn(Body):
    reason: Plain = Field(
        min_length=1, max_length=500, description="Why, for the board's account of its erasures."
    )


class ErasureOut(BaseModel):
    staff_id: UUID
    erased_at: datetime


class DepartureIn(Body):
    left_on: date = Field(
        ge=date(1900, 1, 1), le=date(9000, 12, 31), description="Their last day of employment."
    )


class DepartureOut(BaseModel):
    staff_id: UUID
    left_on: date
    erased_on: date = Field(
        description="When the retention job erases them, at the board's period as it stands."
    )


class RetentionIn(Body):
    after_leaving_days: int = Field(
        ge=0, le=3650, description="How long a dossier is kept after the person leaves."
    )


class NoteIn(TextIn):
    leader_id: UUID | None = Field(default=None, description=_YOU)


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


class TargetsOut(BaseModel):
    hours_per_year: dict[StaffRole, float] = Field(
        description="Hours a year at full time, per role the board set a target for."
    )
    defaults: dict[Sector, float] = Field(
        description="The collective agreements' hours a year at full time, per sector: the"
        " target of a role the board set none for."
    )


class ProfileOut(ProfileIn):
    staff_id: UUID


def optional_school_year(text: str | None) -> str | None:
    return None if text is None else valid_school_year(text)


YEAR_PATTERN = r"^[0-9]{4}-[0-9]{4}$"
SchoolYear = Annotated[
    str,
    Path(pattern=YEAR_PATTERN, examples=["2026-2027"]),
    AfterValidator(valid_school_year),
]


class GoalIn(Body):
    title: Name
    domains: Domains = ()
    goal_tags: GoalTags = ()
    target_hours: Hours


class PlanIn(Body):
    goals: list[GoalIn] = Field(max_length=20)


class SchoolAudits(BaseModel):
    school_id: UUID
    audits: list[dict[str, Any]] = Field(description="Oldest first, each with its points.")
    open_points: list[dict[str, Any]] = Field(description="Points to improve not yet closed.")


class FollowUpIn(Body):
    point_index: int = Field(ge=0, description="Which point to improve, counted from 0.")
    action: Plain = Field(min_length=1, max_length=5000)
    closed: bool = False
    recorded_by: UUID | None = Field(default=None, description=_YOU)


class EntryOut(BaseModel):
    entry_id: UUID
    source: EntrySource = Field(
        description="enrollment: an enrollment in an academy's offering; audit: work in a"
        " peer audit's team; staff: learning outside the academies, added by the staff member."
    )
    status: EnrollmentStatus = Field(
        description="An enrollment's entry follows the enrollment (interested, requested,"
        " declined, enrolled, waitlisted, cancelled, completed, not_completed); audit work"
        " and learning added by staff are completed."
    )
    title: str
    kind: str
    academy_name: str
    offering_id: UUID | None
    hours: float | None = Field(description="Hours credited; only completed entries have them.")
    completed_on: date | None
    school_year: str | None
    domains: tuple[str, ...]
    goal_tags: tuple[str, ...]
    detail: dict[str, Any]
    evidence: tuple[dict[str, Any], ...] = ()
    reflections: tuple[dict[str, Any], ...] = ()
    notes: tuple[dict[str, Any], ...] = ()


class YearOut(BaseModel):
    school_year: str = Field(examples=["2025-2026"])
    hours: float
    activities: int
    by_domain: dict[str, float]
    by_goal_tag: dict[str, float]
    by_kind: dict[str, float]
    by_academy: dict[str, float]
    target: float | None = Field(description="The yearly target, when the profile is known.")
    remaining: float | None = Field(description="Hours still to go to the target.")


class FourYearsOut(BaseModel):
    """The former teacher register's profile: 160 hours in four school years, at least 100
    of them on the three competence domains."""

    first_year: str
    last_year: str
    hours: float
    domain_hours: float
    hours_target: float
    domain_target: float
    met: bool


class PortfolioOut(BaseModel):
    staff_id: UUID
    total_hours: float
    target_hours_per_year: float | None = Field(
        description="The board's target for the role (or the collective agreement's), pro rata."
    )
    school_years: list[YearOut] = Field(
        description="Hours per school year (1 Aug - 31 Jul), newest first."
    )
    four_years: FourYearsOut
    entries: list[EntryOut]
    profile: dict[str, Any] | None = Field(
        default=None,
        description="The staff profile the target follows (role, sector, fte, schools, team),"
        " when the board has set one.",
    )


def entry_out(e: Entry) -> EntryOut:
    return EntryOut.model_validate(
        {
            **vars(e),
            "school_year": school_year(e.completed_on) if e.completed_on else None,
        }
    )


def portfolio_out(d: Dossier) -> PortfolioOut:
    return PortfolioOut(
        staff_id=d.staff_id,
        total_hours=round(sum(y.hours for y in d.years), 2),
        target_hours_per_year=d.target,
        school_years=[
            YearOut(
                **asdict(y),
                target=d.target,
                remaining=None if d.target is None else round(max(d.target - y.hours, 0), 2),
            )
            for y in d.years
        ],
        four_years=FourYearsOut(**asdict(d.four_years), met=d.four_years.met),
        entries=[entry_out(e) for e in d.entries],
        profile=None if d.profile is None else asdict(d.profile),
    )
