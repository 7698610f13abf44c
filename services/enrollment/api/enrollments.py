"""Enrollment's HTTP API for enrollments: enrol, as a team too, decide, cancel, attendance
and completion; each enrollment, its history, a person's enrollments and a school's."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response, status

from contracts.registry import event_type_for
from contracts.values import EnrollmentStatus
from services.enrollment.api.access import reached_enrollment, team_of
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
from services.enrollment.queries import EnrollmentQueries
from services.shared.identity.http import Caller, Forbidden, Who

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
    who: Who,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> EnrollmentOut:
    """Enrol: Enrolled, or Waitlisted when full; EnrollmentRequested when the offering needs
    the school leader's approval; InterestRegistered while the offering has no dates."""
    staff_id = who.acts_as(body.staff_id, "staff_id")
    staff = StaffMember(staff_id, who.own_board(body.board_id), body.role, body.sector)
    enrollment, created, warnings = await cmd.enrol(
        staff, body.offering_id, idempotency_key, confirm_overlap=body.confirm_overlap
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return EnrollmentOut.of(enrollment, warnings)


@router.post("/teams/enrollments", status_code=status.HTTP_201_CREATED)
async def enrol_team(body: TeamIn, cmd: Enrolling, who: Who) -> TeamOut:
    """A school leader enrols a team of their schools' staff: all of them, or (seats short)
    none, with a 409."""
    who.acts_as(body.leader_id, "leader_id")
    board = who.own_board(body.board_id)
    members = [StaffMember(m.staff_id, board, m.role, m.sector) for m in body.members]
    await team_of(who, members)
    made, warnings = await cmd.enrol_team(
        body.offering_id, members, confirm_overlap=body.confirm_overlap
    )
    return TeamOut(enrollments=[EnrollmentOut.of(e) for e in made], warnings=warnings)


@router.post("/enrollments/{enrollment_id}/approve")
async def approve(
    enrollment_id: UUID, body: Decision, cmd: Enrolling, q: Queries, who: Who
) -> EnrollmentOut:
    """The school leader approves: Enrolled, or Waitlisted when full."""
    approver = await _decider(who, q, enrollment_id, body)
    return EnrollmentOut.of(await cmd.approve(enrollment_id, approver))


@router.post("/enrollments/{enrollment_id}/decline")
async def decline(
    enrollment_id: UUID, body: Decision, cmd: Enrolling, q: Queries, who: Who
) -> EnrollmentOut:
    """The school leader declines (EnrollmentDeclined)."""
    approver = await _decider(who, q, enrollment_id, body)
    return EnrollmentOut.of(await cmd.decline(enrollment_id, approver, body.reason))


async def _decider(who: Caller, q: EnrollmentQueries, enrollment_id: UUID, body: Decision) -> UUID:
    """The leader who decides: theirs to decide, and never on their own request."""
    enrollment = await reached_enrollment(who, q, enrollment_id)
    approver = who.acts_as(body.approver_id, "approver_id")
    if enrollment.staff_id == approver:
        raise Forbidden("a request of your own is decided by another leader of your school")
    return approver


@router.post("/enrollments/{enrollment_id}/cancel")
async def cancel(
    enrollment_id: UUID, body: Reason, cmd: Enrolling, q: Queries, who: Who
) -> EnrollmentOut:
    """Cancel (EnrollmentCancelled); a freed seat goes to the first on the waiting list."""
    await reached_enrollment(who, q, enrollment_id)
    return EnrollmentOut.of(await cmd.cancel(enrollment_id, body.reason))


@router.post("/enrollments/{enrollment_id}/attendance")
async def record_attendance(
    enrollment_id: UUID, body: AttendanceIn, cmd: Attendance, q: Queries, who: Who
) -> EnrollmentOut:
    """Attendance for one session (AttendanceRecorded). Once every session is recorded,
    Completed or NotCompleted follows by the offering's criteria."""
    await reached_enrollment(who, q, enrollment_id)
    return EnrollmentOut.of(
        await cmd.record_attendance(enrollment_id, body.session_id, body.attended)
    )


@router.post("/enrollments/{enrollment_id}/complete")
async def complete(
    enrollment_id: UUID, body: CompleteIn, cmd: Attendance, q: Queries, who: Who
) -> EnrollmentOut:
    """The academy records completion by hand (Completed), with a reason."""
    await reached_enrollment(who, q, enrollment_id)
    done = await cmd.complete(enrollment_id, body.completed_on, body.hours, body.reason)
    return EnrollmentOut.of(done)


@router.post("/enrollments/{enrollment_id}/not-completed")
async def not_completed(
    enrollment_id: UUID, body: Reason, cmd: Attendance, q: Queries, who: Who
) -> EnrollmentOut:
    """The academy records that the staff member did not complete (NotCompleted)."""
    await reached_enrollment(who, q, enrollment_id)
    return EnrollmentOut.of(await cmd.not_complete(enrollment_id, body.reason))


@router.get("/enrollments/{enrollment_id}")
async def get_enrollment(enrollment_id: UUID, q: Queries, who: Who) -> EnrollmentOut:
    return EnrollmentOut.of(await reached_enrollment(who, q, enrollment_id))


@router.get("/enrollments/{enrollment_id}/history")
async def history(enrollment_id: UUID, q: Queries, who: Who) -> list[HistoryItem]:
    """Every event of the enrollment, oldest first. What people wrote (the reasons given)
    is for people: a client (an external tool) gets each event without it."""
    await reached_enrollment(who, q, enrollment_id)
    items = await q.history(enrollment_id)
    if who.principal.staff_id is None:
        items = [_without_what_people_wrote(item) for item in items]
    return [HistoryItem(**item) for item in items]


def _without_what_people_wrote(item: dict[str, Any]) -> dict[str, Any]:
    personal = event_type_for(item["type"]).personal
    return {**item, "data": {k: v for k, v in item["data"].items() if k not in personal}}


@router.get("/staff/{staff_id}/enrollments")
async def staff_enrollments(staff_id: UUID, q: Queries, who: Who) -> list[EnrollmentOut]:
    await who.allow_staff(staff_id)
    return [EnrollmentOut.of(e) for e in await q.of_staff(staff_id)]


@router.get("/schools/{school_id}/enrollments")
async def school_enrollments(
    school_id: UUID,
    q: Queries,
    who: Who,
    state: Annotated[EnrollmentStatus | None, Query(alias="status")] = None,
) -> list[EnrollmentOut]:
    """The enrollments of the school's staff, in order of arrival; with `status`, only
    those (status=requested: the requests awaiting the school leader's approval). Who is
    staff of the school is the directory's to say, as it stands now."""
    school = await who.allow_school(school_id)
    board = school.board_id or who.principal.board_id
    staff = await who.directory.members(board, school_id) if board else []
    found = await q.of_staff_members([p.staff_id for p in staff], state)
    return [EnrollmentOut.of(e) for e in found]
