"""The web application's part of a person's data export: their open sessions (when made,
last used) and the e-mail sent to them that is still kept."""

from uuid import UUID

from fastapi import APIRouter, Request

from services.shared.http import runtime_of
from services.shared.identity.http import Who
from services.shared.privacy.export import ExportPart
from services.web.mail.store import MailStore

router = APIRouter(tags=["privacy"])


@router.get("/staff/{staff_id}/export")
async def export_part(staff_id: UUID, request: Request, who: Who) -> ExportPart:
    """What the web application holds about the person: their sessions (never the tokens
    in them) and the e-mail it sent them, while it is kept."""
    await who.allow_staff(staff_id)
    async with runtime_of(request).database.reading() as store:
        kept = await store.sessions_of(staff_id)
        mail = await MailStore(store.conn).mail_to(staff_id)
    return ExportPart.now("web", staff_id, {"sessions": kept, "mail": mail})
