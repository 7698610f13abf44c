"""Enrollment's part of a person's data export (GDPR articles 15 and 20)."""

from uuid import UUID

from fastapi import APIRouter

from services.enrollment.api.deps import Queries
from services.enrollment.api.schemas import EnrollmentOut
from services.shared.identity.http import Who
from services.shared.privacy.export import ExportPart

router = APIRouter(tags=["privacy"])


@router.get("/staff/{staff_id}/export")
async def export_part(staff_id: UUID, q: Queries, who: Who) -> ExportPart:
    """What enrollment holds about the person: their enrollments, each with its history
    (the reasons given included), attendance, seats they reserved as a school leader,
    programmes completed, and when their calendar feed was made."""
    await who.allow_staff(staff_id)
    enrollments, rows = await q.personal_records(staff_id)
    data = {
        "enrollments": [
            {**EnrollmentOut.of(e).model_dump(mode="json", exclude={"warnings"}), "history": h}
            for e, h in enrollments
        ],
        **rows,
    }
    return ExportPart.now("enrollment", staff_id, data)
