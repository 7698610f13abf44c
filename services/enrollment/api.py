"""Enrollment's HTTP commands."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Response, status

from services.enrollment.eligibility import StaffMember
from services.enrollment.progress import Progress
from services.enrollment.schemas import (
    AttendanceIn,
    CompleteIn,
    Decision,
    EnrolIn,
    EnrollmentOut,
    Reason,
    TeamIn,
    TeamOut,
)
from services.enrollment.service import Enrollments
from services.shared.http import commands

router = APIRouter(tags=["enrollments"])


Service = Annotated[Enrollments, Depends(commands(Enrollments))]
Attendance = Annotated[Progress, Depends(commands(Progress))]


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
    svc: Service,
    response: Response,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> EnrollmentOut:
    """Enrol: Enrolled, or Waitlisted when full; EnrollmentRequested when the offering needs
    the school leader's approval; InterestRegistered while the offering has no dates."""
    enrollment, created, warnings = await svc.enrol(
        body.staff(), body.offering_id, idempotency_key, confirm_overlap=body.confirm_overlap
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return EnrollmentOut.of(enrollment, warnings)


@router.post("/teams/enrollments", status_code=status.HTTP_201_CREATED)
async def enrol_team(body: TeamIn, svc: Service) -> TeamOut:
    """A school leader enrols a team: all of them, or (seats short) none, with a 409."""
    members = [StaffMember(m.staff_id, body.board_id, m.role, m.sector) for m in body.members]
    made, warnings = await svc.enrol_team(
        body.offering_id, members, confirm_overlap=body.confirm_overlap
    )
    return TeamOut(enrollments=[EnrollmentOut.of(e) for e in made], warnings=warnings)


@router.post("/enrollments/{enrollment_id}/approve")
async def approve(enrollment_id: UUID, body: Decision, svc: Service) -> EnrollmentOut:
    """The school leader approves: Enrolled, or Waitlisted when full."""
    return EnrollmentOut.of(await svc.approve(enrollment_id, body.approver_id))


@router.post("/enrollments/{enrollment_id}/decline")
async def decline(enrollment_id: UUID, body: Decision, svc: Service) -> EnrollmentOut:
    """The school leader declines (EnrollmentDeclined)."""
    return EnrollmentOut.of(await svc.decline(enrollment_id, body.approver_id, body.reason))


@router.post("/enrollments/{enrollment_id}/cancel")
async def cancel(enrollment_id: UUID, body: Reason, svc: Service) -> EnrollmentOut:
    """Cancel (EnrollmentCancelled); a freed seat goes to the first on the waiting list."""
    return EnrollmentOut.of(await svc.cancel(enrollment_id, body.reason))


@router.post("/enrollments/{enrollment_id}/attendance")
async def record_attendance(
    enrollment_id: UUID, body: AttendanceIn, svc: Attendance
) -> EnrollmentOut:
    """Attendance for one session (AttendanceRecorded). Once every session is recorded,
    Completed or NotCompleted follows by the offering's criteria."""
    return EnrollmentOut.of(
        await svc.record_attendance(enrollment_id, body.session_id, body.attended)
    )


@router.post("/enrollments/{enrollment_id}/complete")
async def complete(enrollment_id: UUID, body: CompleteIn, svc: Attendance) -> EnrollmentOut:
    """The academy records completion by hand (Completed), with a reason."""
    done = await svc.complete(enrollment_id, body.completed_on, body.hours, body.reason)
    return EnrollmentOut.of(done)


@router.post("/enrollments/{enrollment_id}/not-completed")
async def not_completed(enrollment_id: UUID, body: Reason, svc: Attendance) -> EnrollmentOut:
    """The academy records that the staff member did not complete (NotCompleted)."""
    return EnrollmentOut.of(await svc.not_complete(enrollment_id, body.reason))
