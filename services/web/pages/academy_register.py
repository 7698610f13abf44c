"""The attendance register of one session: one row per person holding a seat, ticked as
recorded, saved with one button (AttendanceRecorded per person whose row changed)."""

import asyncio
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from contracts.enrollment import AttendanceRecorded
from services.web.apis import Refused
from services.web.forms import listed, path_id
from services.web.frame import Page, WebRoute
from services.web.pages.academy_shared import (
    HOME,
    Row,
    Visit,
    grouped,
    offering_of,
    refusal_status,
    seats_of,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ATTENDANCE = AttendanceRecorded.ce_type


async def recorded(
    p: Page, enrollments: Iterable[dict[str, Any]], session_id: str
) -> dict[str, bool]:
    """What is recorded about the session per enrolment (the last AttendanceRecorded in
    its history: enrollment's API keeps attendance nowhere else)."""
    ids = [e["enrollment_id"] for e in enrollments]
    histories = await asyncio.gather(
        *(p.apis.get("enrollment", f"/enrollments/{i}/history") for i in ids)
    )
    found: dict[str, bool] = {}
    for enrollment_id, history in zip(ids, histories, strict=True):
        for event in history:
            if event["type"] == ATTENDANCE and event["data"]["session_id"] == session_id:
                found[enrollment_id] = bool(event["data"]["attended"])
    return found


async def register_of(p: Page, offering_id: UUID, session_id: UUID) -> dict[str, Any]:
    """The offering, the session, who holds a seat, and what is recorded about them."""
    offering = await offering_of(p, offering_id)
    session = next((s for s in offering["sessions"] if s["session_id"] == str(session_id)), None)
    if session is None:
        raise Refused(404, f"no session {session_id}")
    rows = (await grouped(p, await seats_of(p, offering_id))).get("participants", [])
    attended = await recorded(p, (r.enrollment for r in rows), str(session_id))
    return {"offering": offering, "session": session, "rows": rows, "recorded": attended}


@router.get("/academie/aanbod/{offering_id}/sessies/{session_id}")
async def register(p: Visit, offering_id: str, session_id: str) -> Response:
    shown = await register_of(p, path_id(offering_id), path_id(session_id))
    return p.render("academy_register.html", problem="", **shown)


@router.post("/academie/aanbod/{offering_id}/sessies/{session_id}")
async def save_register(p: Visit, offering_id: str, session_id: str) -> Response:
    """Every row of the register as ticked; a row unchanged since it was recorded is not
    sent again (that would record the same attendance twice)."""
    form = await p.form()
    offering, session = path_id(offering_id), path_id(session_id)
    shown = await register_of(p, offering, session)
    posted, present = set(listed(form, "deelnemer")), set(listed(form, "aanwezig"))
    failed = [
        why
        for row in shown["rows"]
        if row.enrollment["enrollment_id"] in posted
        and (why := await _record(p, row, session, present, shown["recorded"]))
    ]
    if failed:
        problem = p.t("academy.register.failed", who="; ".join(failed))
        shown = await register_of(p, offering, session)
        return p.render("academy_register.html", 409, problem=problem, **shown)
    return p.back(f"{HOME}/aanbod/{offering}/sessies/{session}", "academy.done.attendance")


async def _record(
    p: Page, row: Row, session_id: UUID, present: set[str], recorded: dict[str, bool]
) -> str:
    """Records the row's attendance when it changed; why not, when enrollment refused."""
    enrollment_id = row.enrollment["enrollment_id"]
    attended = enrollment_id in present
    if row.enrollment["status"] != "enrolled" or recorded.get(enrollment_id) == attended:
        return ""
    body = {"session_id": str(session_id), "attended": attended}
    try:
        await p.apis.post("enrollment", f"/enrollments/{enrollment_id}/attendance", body)
    except Refused as e:
        refusal_status(e)
        return f"{row.name}: {e.reason}"
    return ""
