"""Enrollment's HTTP API for enrollments: enrol, as a team too, decide, cancel, attendance
and completion; each enrollment, its history, and a person's enrollments."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Response, status

from services.enrollment.api.deps import Attendance, Enrolling, Queries
from services.enrollment.api.schemas import (
    AttendanceIn,
    CompleteIn,
    Decision,
    EnrolIn,
    EnrollmentOut,
    HistoryItem,
    Reason,
    TeamIn,
    TeamOut,
)
from services.enrollment.domain.eligibility import StaffMember

router = APIRouter(tags=["enrollments"])


@router.post(
    "/enrollments",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "What an earlier request with the same Idempotency-Key made"},
        409: {"description": "Already enrolled, or sessions overlap (confirm_overlap)"},
        422: {"description": "Invalid, or not eligible (window, visibility, audience)"},
    },
)
async def enrol(
    body: EnrolIn,
    cmd: Enrolling,
    response: Response,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> EnrollmentOut:
    """Enrol: Enrolled, or Waitlisted when full; EnrollmentRequested when the offering needs
    the school leader's approval; InterestRegistered while the offering has no dates."""
    enrollment, created, warnings = await cmd.enrol(
        body.staff(), body.offering_id, idempotency_key, confirm_overlap=body.confirm_overlap
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return EnrollmentOut.of(enrollment, warnings)


@router.post("/teams/enrollments", status_code=status.HTTP_201_CREATED)
async def enrol_team(body: TeamIn, cmd: Enrolling) -> TeamOut:
    """A school leader enrols a team: all of them, or (seats short) none, with a 409."""
    members = [StaffMember(m.staff_id, body.board_id, m.role, m.sector) for m in body.members]
    made, warnings = await cmd.enrol_team(
        body.offering_id, members, confirm_overlap=body.confirm_overlap
    )
    return TeamOut(enrollments=[EnrollmentOut.of(e) for e in made], warnings=warnings)


@router.post("/enrollments/{enrollment_id}/approve")
async def approve(enrollment_id: UUID, body: Decision, cmd: Enrolling) -> EnrollmentOut:
    """The school leader approves: Enrolled, or Waitlisted when full."""
    return EnrollmentOut.of(await cmd.approve(enrollment_id, body.approver_id))


@router.post("/enrollments/{enrollment_id}/decline")
async def decline(enrollment_id: UUID, body: Decision, cmd: Enrolling) -> EnrollmentOut:
    """The school leader declines (EnrollmentDeclined)."""
    return EnrollmentOut.of(await cmd.decline(enrollment_id, body.approver_id, body.reason))


@router.post("/enrollments/{enrollment_id}/cancel")
async def cancel(enrollment_id: UUID, body: Reason, cmd: Enrolling) -> EnrollmentOut:
    """Cancel (EnrollmentCancelled); a freed seat goes to the first on the waiting list."""
    return EnrollmentOut.of(await cmd.cancel(enrollment_id, body.reason))


@router.post("/enrollments/{enrollment_id}/attendance")
async def record_attendance(
    enrollment_id: UUID, body: AttendanceIn, cmd: Attendance
) -> EnrollmentOut:
    """Attendance for one session (AttendanceRecorded). Once every session is recorded,
    Completed or NotCompleted follows by the offering's criteria."""
    return EnrollmentOut.of(
        await cmd.record_attendance(enrollment_id, body.session_id, body.attended)
    )


@router.post("/enrollments/{enrollment_id}/complete")
async def complete(enrollment_id: UUID, body: CompleteIn, cmd: Attendance) -> EnrollmentOut:
    """The academy records completion by hand (Completed), with a reason."""
    done = await cmd.complete(enrollment_id, body.completed_on, body.hours, body.reason)
    return EnrollmentOut.of(done)


@router.post("/enrollments/{enrollment_id}/not-completed")
async def not_completed(enrollment_id: UUID, body: Reason, cmd: Attendance) -> EnrollmentOut:
    """The academy records that the staff member did not complete (NotCompleted)."""
    return EnrollmentOut.of(await cmd.not_complete(enrollment_id, body.reason))


@router.get("/enrollments/{enrollment_id}")
async def get_enrollment(enrollment_id: UUID, q: Queries) -> EnrollmentOut:
    return EnrollmentOut.of(await q.enrollment(enrollment_id))


@router.get("/enrollments/{enrollment_id}/history")
async def history(enrollment_id: UUID, q: Queries) -> list[HistoryItem]:
    """Every event of the enrollment, oldest first."""
    return [HistoryItem(**item) for item in await q.history(enrollment_id)]


@router.get("/staff/{staff_id}/enrollments")
async def staff_enrollments(staff_id: UUID, q: Queries) -> list[EnrollmentOut]:
    return [EnrollmentOut.of(e) for e in await q.of_staff(staff_id)]
