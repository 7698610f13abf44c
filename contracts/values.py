"""Value types shared by several events."""

from collections.abc import Hashable
from datetime import date
from enum import StrEnum
from typing import Annotated, TypeVar
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

H = TypeVar("H", bound=Hashable)


def _no_nul(text: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL: refuse it at the door, not with a 500.
    if "\x00" in text:
        raise ValueError("text may not contain NUL characters")
    return text


Plain = Annotated[str, AfterValidator(_no_nul)]


def _distinct(items: tuple[H, ...]) -> tuple[H, ...]:
    if len(set(items)) != len(items):
        raise ValueError("items must be distinct")
    return items


class Value(BaseModel):
    # A tolerant reader: fields added later in the same version are ignored, not refused.
    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)


class Employer(Value):
    """Who employs the person an event is about, as the directory had it when the event
    was made: the event belongs to this board (webhooks reach only its subscribers)."""

    board_id: UUID
    school_ids: tuple[UUID, ...] = Field(default=(), max_length=50, description="Where they work.")


Employed = Annotated[
    Employer | None,
    Field(
        description="The board that employs the person this event is about, and their"
        " schools, from the directory when the event was made. Absent on events made before"
        " it was added, and about people the directory does not know."
    ),
]
"""An event's `employer` field (default None): which board the event belongs to."""


class OfferingKind(StrEnum):
    COURSE = "course"
    WORKSHOP = "workshop"
    LEARNING_TEAM = "learning_team"
    COACHING = "coaching"
    INTERVISION = "intervision"
    LEARNING_NETWORK = "learning_network"
    CONFERENCE = "conference"


class CompetenceDomain(StrEnum):
    """The three domains of the Dutch competence requirements, plus school leadership."""

    SUBJECT_KNOWLEDGE = "subject_knowledge"
    SUBJECT_DIDACTICS = "subject_didactics"
    PEDAGOGY = "pedagogy"
    SCHOOL_LEADERSHIP = "school_leadership"


class Visibility(StrEnum):
    OWN_BOARD = "own_board"
    NETWORK = "network"
    PUBLIC = "public"


Hours = Annotated[
    float, Field(ge=0, le=10_000, description="Clock hours of study.", examples=[6.5])
]
GoalTag = Annotated[
    Plain,
    Field(
        min_length=1,
        max_length=80,
        description="A school focal point (speerpunt) the offering serves.",
        examples=["reading"],
    ),
]
Domains = Annotated[
    tuple[CompetenceDomain, ...],
    AfterValidator(_distinct),
    Field(description="Competence domains served; each at most once."),
]
GoalTags = Annotated[tuple[GoalTag, ...], AfterValidator(_distinct), Field(max_length=20)]
Name = Annotated[Plain, Field(min_length=1, max_length=200)]
Text = Annotated[Plain, Field(max_length=2000)]
Remarks = Annotated[
    tuple[Annotated[Plain, Field(min_length=1, max_length=2000)], ...], Field(max_length=50)
]


class StaffRole(StrEnum):
    TEACHER = "teacher"
    SCHOOL_LEADER = "school_leader"
    SPECIALIST = "specialist"
    TEACHING_ASSISTANT = "teaching_assistant"
    OTHER = "other"


class Sector(StrEnum):
    PO = "po"
    """Primary education."""
    VO = "vo"
    """Secondary education."""


class Audience(Value):
    """Who an offering is for; an empty list means everyone."""

    roles: Annotated[tuple[StaffRole, ...], AfterValidator(_distinct)] = ()
    sectors: Annotated[tuple[Sector, ...], AfterValidator(_distinct)] = ()


class Credits(Value):
    """Credit units besides clock hours, where the academy gives them."""

    sbu: float | None = Field(default=None, ge=0, le=10_000, description="Study load hours.")
    ects: float | None = Field(default=None, ge=0, le=1_000)


class CompletionCriteria(Value):
    min_attendance_share: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Share of the sessions a participant must attend to complete; 1 is all.",
    )


class Session(Value):
    """One meeting of an offering."""

    session_id: UUID | None = Field(
        default=None,
        description="Stable across updates, so calendars can follow a moved session; "
        "the catalogue assigns it to a new session.",
    )
    starts_at: AwareDatetime = Field(description="Start, with time zone.")
    ends_at: AwareDatetime = Field(description="End, with time zone.")
    location: Plain = Field(
        default="", max_length=200, description="A room, an address or an online link."
    )


class OfferingContent(Value):
    """What an academy writes about an offering: everything but the ids the catalogue
    gives it and its version. The catalogue's API takes these fields as they are."""

    title: Name = Field(examples=["Reading didactics in groups 3-4"])
    description: Plain = Field(default="", max_length=5000)
    kind: OfferingKind
    sessions: tuple[Session, ...] = Field(default=(), max_length=100)
    capacity: int | None = Field(default=None, ge=1, description="Seats; absent means unlimited.")
    study_hours: Hours
    domains: Domains = ()
    goal_tags: GoalTags = ()
    visibility: Visibility = Visibility.OWN_BOARD
    enrolment_opens: AwareDatetime | None = Field(default=None, description="Absent: open now.")
    enrolment_closes: AwareDatetime | None = Field(default=None, description="Absent: no end.")
    audience: Audience = Audience()
    credits: Credits | None = None
    completion: CompletionCriteria = CompletionCriteria()
    requires_approval: bool = Field(
        default=False, description="Enrolment waits for the staff member's school leader."
    )


class OfferingIdentity(Value):
    """Which offering, of which academy and board: given by the catalogue."""

    offering_id: UUID
    academy_id: UUID
    academy_name: Name = Field(examples=["Academie De Linde"])
    board_id: UUID = Field(description="The school board that runs the academy.")


class OfferingDetails(OfferingContent, OfferingIdentity):
    """Everything an academy publishes about an offering."""

    version: int = Field(
        default=1, ge=1, description="Goes up by one with every update (calendar SEQUENCE)."
    )


class OfferingSnapshot(Value):
    """What a consumer needs to know about an offering to make sense of an enrollment."""

    offering_id: UUID
    title: Name
    academy_id: UUID
    academy_name: Name
    kind: OfferingKind
    study_hours: Hours
    domains: Domains = ()
    goal_tags: GoalTags = ()
    first_session_on: date | None = Field(
        default=None, description="Date of the first session, when the offering has dates."
    )
    credits: Credits | None = None


class AuditRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


class AuditTeamMember(Value):
    staff_id: UUID
    school_id: UUID = Field(description="The auditor's own school; never the audited school.")
    role: AuditRole = AuditRole.MEMBER


class AuditorCredit(Value):
    staff_id: UUID
    school_id: UUID
    role: AuditRole
    hours: Hours


class Findings(Value):
    """What an audit team reports to the audited school."""

    strengths: Remarks = ()
    improvements: Remarks = Field(default=(), description="Points to improve.")
    recommendations: Remarks = ()


class EnrollmentStatus(StrEnum):
    """Where an enrollment stands: enrollment's own state, and the status of the portfolio
    entry that follows it (audit work and learning added by staff are entries completed)."""

    INTERESTED = "interested"
    REQUESTED = "requested"
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
