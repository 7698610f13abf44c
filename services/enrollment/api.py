"""Enrollment's HTTP API."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.values import Hours, OfferingSnapshot
from services.enrollment.domain import Enrollment
from services.enrollment.service import Enrollments
from services.shared.http import runtime_of

router = APIRouter()


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrolIn(Body):
    staff_id: UUID
    offering_id: UUID


class CancelIn(Body):
    reason: str = Field(default="", max_length=1000)


class CompleteIn(Body):
    completed_on: date | None = Field(default=None, description="Defaults to today.")
    hours: Hours | None = Field(default=None, description="Defaults to the offering's study hours.")


class EnrollmentOut(BaseModel):
    enrollment_id: UUID
    offering_id: UUID
    staff_id: UUID
    status: str
    completed_on: date | None
    hours: float | None


class OfferingSeats(BaseModel):
    offering: OfferingSnapshot
    capacity: int | None
    withdrawn: bool
    enrolled: int
    waiting_list: list[UUID] = Field(description="Enrollment ids, first in line first.")
    enrollments: list[EnrollmentOut]


def enrollments(request: Request) -> Enrollments:
    runtime = runtime_of(request)
    return Enrollments(runtime.pool, runtime.source)


Service = Annotated[Enrollments, Depends(enrollments)]


def _out(e: Enrollment) -> EnrollmentOut:
    return EnrollmentOut(
        enrollment_id=e.enrollment_id,
        offering_id=e.offering_id,
        staff_id=e.staff_id,
        status=e.status.value,
        completed_on=e.completed_on,
        hours=e.hours,
    )


@router.post(
    "/enrollments",
    status_code=status.HTTP_201_CREATED,
    tags=["enrollments"],
    responses={
        200: {
            "description": "The enrollment an earlier request with the same Idempotency-Key made"
        },
        409: {"description": "Already enrolled or waitlisted"},
    },
)
async def enrol(
    body: EnrolIn,
    svc: Service,
    response: Response,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> EnrollmentOut:
    """Enrol (Enrolled), or join the waiting list when the offering is full (Waitlisted)."""
    enrollment, created = await svc.enrol(body.staff_id, body.offering_id, idempotency_key)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _out(enrollment)


@router.get("/enrollments/{enrollment_id}", tags=["enrollments"])
async def get_enrollment(enrollment_id: UUID, svc: Service) -> EnrollmentOut:
    return _out(await svc.get(enrollment_id))


@router.post("/enrollments/{enrollment_id}/cancel", tags=["enrollments"])
async def cancel(enrollment_id: UUID, body: CancelIn, svc: Service) -> EnrollmentOut:
    """Cancel (EnrollmentCancelled); a freed seat goes to the first on the waiting list."""
    return _out(await svc.cancel(enrollment_id, body.reason))


@router.post("/enrollments/{enrollment_id}/complete", tags=["enrollments"])
async def complete(enrollment_id: UUID, body: CompleteIn, svc: Service) -> EnrollmentOut:
    """The academy records completion (Completed)."""
    return _out(await svc.complete(enrollment_id, body.completed_on, body.hours))


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def offering_seats(offering_id: UUID, svc: Service) -> OfferingSeats:
    """Enrollment's view of an offering: seats taken and the waiting list."""
    offering, enrolled, items = await svc.offering(offering_id)
    return OfferingSeats(
        offering=offering.snapshot,
        capacity=offering.capacity,
        withdrawn=offering.withdrawn,
        enrolled=enrolled,
        waiting_list=[e.enrollment_id for e in items if e.status.value == "waitlisted"],
        enrollments=[_out(e) for e in items],
    )


@router.get("/staff/{staff_id}/enrollments", tags=["enrollments"])
async def staff_enrollments(staff_id: UUID, svc: Service) -> list[EnrollmentOut]:
    return [_out(e) for e in await svc.of_staff(staff_id)]
