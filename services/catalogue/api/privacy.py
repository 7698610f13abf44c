"""The catalogue's part of a person's data export (GDPR articles 15 and 20)."""

from uuid import UUID

from fastapi import APIRouter

from services.catalogue.api.deps import Queries
from services.shared.identity.http import Who
from services.shared.privacy.export import ExportPart

router = APIRouter(tags=["privacy"])


@router.get("/staff/{staff_id}/export")
async def export_part(staff_id: UUID, q: Queries, who: Who) -> ExportPart:
    """What the catalogue holds about the person: the peer audits whose team they are on,
    each with their role and the hours credited to them. Not the findings (the team's,
    about the school) nor who else was on the team."""
    await who.allow_staff(staff_id)
    roles = []
    for audit in await q.audits_with(staff_id):
        member = next(m for m in audit.team if m.staff_id == staff_id)
        credit = next((c for c in audit.credits if c.staff_id == staff_id), None)
        roles.append({
            "audit_id": audit.audit_id, "school_id": audit.school_id,
            "board_id": audit.board_id, "theme": audit.theme, "audit_date": audit.audit_date,
            "status": audit.status.value, "own_school_id": member.school_id,
            "role": member.role.value, "credit": credit.model_dump(mode="json") if credit else None,
        })  # fmt: skip
    return ExportPart.now("catalogue", staff_id, {"audit_roles": roles})
