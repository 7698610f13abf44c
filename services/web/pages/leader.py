"""The school leader's pages: the approvals inbox here; enrolling a team and reserved seats
(leader_team.py); the school overview, a staff member's portfolio and the school's audits
(leader_school.py)."""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from services.web.forms import path_id
from services.web.frame import Page, WebRoute, page
from services.web.pages import leader_school, leader_team
from services.web.pages.leader_shared import led, offerings, school_enrollments

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Visit = Annotated[Page, Depends(page)]


@dataclass(frozen=True)
class Awaiting:
    """A request awaiting approval, as the inbox shows it."""

    enrollment: dict[str, Any]
    name: str
    offering: dict[str, Any] | None
    asked_at: str | None
    own: bool
    """The leader's own request: another leader of the school decides it."""


@router.get("/goedkeuringen")
async def approvals(p: Visit) -> Response:
    """Every request of the staff of the leader's schools awaiting their approval, oldest
    first."""
    waiting = await school_enrollments(p, led(p), status="requested")
    offered = await offerings(p, (e["offering_id"] for e in waiting))
    names = await p.names(e["staff_id"] for e in waiting)
    asked = await asyncio.gather(*(_asked_at(p, e["enrollment_id"]) for e in waiting))
    requests = [
        Awaiting(e, names[e["staff_id"]], offered.get(e["offering_id"]), at, e["staff_id"] == p.me)
        for e, at in zip(waiting, asked, strict=True)
    ]
    requests.sort(key=lambda r: r.asked_at or "")
    return p.render("leader_approvals.html", requests=requests)


async def _asked_at(p: Page, enrollment_id: str) -> str | None:
    """When the request was made: the enrollment's latest event (it is awaiting approval)."""
    history: list[dict[str, Any]] = await p.apis.get(
        "enrollment", f"/enrollments/{enrollment_id}/history"
    )
    return str(history[-1]["at"]) if history else None


@router.post("/goedkeuringen/{enrollment_id}/goedkeuren")
async def approve(enrollment_id: str, p: Visit) -> Response:
    await p.form()
    led(p)
    done = await p.apis.post("enrollment", f"/enrollments/{path_id(enrollment_id)}/approve")
    seated = done["status"] == "enrolled"
    return p.back("/goedkeuringen", "leader.done.approved" if seated else "leader.done.waitlisted")


@router.post("/goedkeuringen/{enrollment_id}/afwijzen")
async def decline(enrollment_id: str, p: Visit) -> Response:
    form = await p.form()
    led(p)
    reason = str(form.get("reden", "")).strip()
    path = f"/enrollments/{path_id(enrollment_id)}/decline"
    await p.apis.post("enrollment", path, {"reason": reason})
    return p.back("/goedkeuringen", "leader.done.declined")


# Flat, as pages() reads them: the team's and the school's routes after the inbox's.
router.routes.extend([*leader_team.router.routes, *leader_school.router.routes])
