"""Enrollment's HTTP request and response bodies."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.values import EnrollmentStatus, Hours, OfferingSnapshot, Sector, StaffRole, Text
from services.enrollment.domain.enrollments import Enrollment
from services.enrollment.domain.reservations import Reservation


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


_YOU = "You, the signed-in caller: may be left out; naming someone else is refused."
_YOUR_BOARD = "Your board: may be left out; naming another is refused."


class EnrolIn(Body):
    staff_id: UUID | None = Field(default=None, description=_YOU)
    board_id: UUID | None = Field(default=None, description=_YOUR_BOARD)
    role: StaffRole
    sector: Sector | None = None
    offering_id: UUID
    confirm_overlap: bool = Field(
        default=False, description="Enrol even though sessions overlap ones the person has."
    )


class TeamMember(Body):
    staff_id: UUID
    role: StaffRole
    sector: Sector | None = None


def _distinct_staff(members: tuple[TeamMember, ...]) -> tuple[TeamMember, ...]:
    if len({m.staff_id for m in members}) != len(members):
        raise ValueError("a staff member appears more than once")
    return members


TeamMembers = Annotated[
    tuple[TeamMember, ...], AfterValidator(_distinct_staff), Field(min_length=1, max_length=200)
]


class TeamIn(Body):
    offering_id: UUID
    leader_id: UUID | None = Field(default=None, description=_YOU)
    board_id: UUID | None = Field(default=None, description=_YOUR_BOARD)
    members: TeamMembers
    confirm_overlap: bool = False


class Reason(Body):
    reason: Text = ""


class Decision(Body):
    approver_id: UUID | None = Field(default=None, description=_YOU)
    reason: Text = ""


class AttendanceIn(Body):
    session_id: UUID
    attended: bool


class CompleteIn(Body):
    completed_on: date | None = Field(default=None, description="Defaults to today.")
    hours: Hours | None = Field(default=None, description="Defaults to the offering's study hours.")
    reason: Text = Field(default="", description="Why the academy records it by hand.")


class EnrollmentOut(BaseModel):
    enrollment_id: UUID
    offering_id: UUID
    staff_id: UUID
    status: EnrollmentStatus
    completed_on: date | None
    hours: float | None
    warnings: list[str] = []

    @classmethod
    def of(cls, e: Enrollment, warnings: list[str] | None = None) -> "EnrollmentOut":
        return cls(
            enrollment_id=e.enrollment_id, offering_id=e.offering_id, staff_id=e.staff_id,
            status=e.status, completed_on=e.credit and e.credit.on,
            hours=e.credit and e.credit.hours,
            warnings=warnings or [],
        )  # fmt: skip


class TeamOut(BaseModel):
    enrollments: list[EnrollmentOut]
    warnings: list[str]


class OfferingSeats(BaseModel):
    offering: OfferingSnapshot
    capacity: int | None
    withdrawn: bool
    enrolled: int = Field(
        description="Seats taken: held by someone (enrolled, completed, not completed), "
        "or reserved for a team and not yet filled."
    )
    waiting_list: list[UUID] = Field(description="Enrollment ids, first in line first.")
    enrollments: list[EnrollmentOut]


class HistoryItem(BaseModel):
    event_id: UUID
    type: str
    at: datetime
    data: dict[str, Any]


class ReserveIn(Body):
    leader_id: UUID | None = Field(default=None, description=_YOU)
    board_id: UUID | None = Field(default=None, description=_YOUR_BOARD)
    seats: int = Field(ge=1, le=500)


class FillIn(Body):
    members: TeamMembers


class ReservationOut(BaseModel):
    reservation_id: UUID
    offering_id: UUID
    leader_id: UUID
    seats: int
    filled: int
    open: int = Field(description="Reserved seats without a name yet.")
    released: bool

    @classmethod
    def of(cls, r: Reservation) -> "ReservationOut":
        return cls.model_validate(r, from_attributes=True)
