"""Value types shared by several events."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    str,
    Field(
        min_length=1,
        max_length=80,
        description="A school focal point (speerpunt) the offering serves.",
        examples=["reading"],
    ),
]


class Session(Value):
    """One meeting of an offering."""

    starts_at: datetime = Field(description="Start, with time zone.")
    ends_at: datetime = Field(description="End, with time zone.")
    location: str = Field(
        default="", max_length=200, description="A room, an address or an online link."
    )


class OfferingDetails(Value):
    """Everything an academy publishes about an offering."""

    offering_id: UUID
    academy_id: UUID
    academy_name: str = Field(examples=["Academie De Linde"])
    board_id: UUID = Field(description="The school board that runs the academy.")
    title: str = Field(examples=["Reading didactics in groups 3-4"])
    description: str = ""
    kind: OfferingKind
    sessions: tuple[Session, ...] = ()
    capacity: int | None = Field(default=None, ge=1, description="Seats; absent means unlimited.")
    study_hours: Hours
    domains: tuple[CompetenceDomain, ...] = ()
    goal_tags: tuple[GoalTag, ...] = ()
    visibility: Visibility = Visibility.OWN_BOARD


class OfferingSnapshot(Value):
    """What a consumer needs to know about an offering to make sense of an enrollment."""

    offering_id: UUID
    title: str
    academy_id: UUID
    academy_name: str
    kind: OfferingKind
    study_hours: Hours
    domains: tuple[CompetenceDomain, ...] = ()
    goal_tags: tuple[GoalTag, ...] = ()
    first_session_on: date | None = Field(
        default=None, description="Date of the first session, when the offering has dates."
    )


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

    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = Field(default=(), description="Points to improve.")
    recommendations: tuple[str, ...] = ()
