"""The academy administrator's pages: the offerings of the academies they administer;
publishing, editing and withdrawing an offering; the offering with its enrolments, where
completion is recorded; and (academy_register.py) the attendance register of a session.
Every change goes through the catalogue's and enrollment's APIs as the administrator."""

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from services.shared.clock import dutch_today
from services.shared.identity.access import Role
from services.web.apis import Refused
from services.web.forms import path_id, text
from services.web.frame import Page, WebRoute
from services.web.i18n import TIMEZONE
from services.web.pages import academy_register
from services.web.pages.academy_form import CHOICES, FormProblem, OfferingForm, day, number
from services.web.pages.academy_shared import (
    HOME,
    Visit,
    academies,
    grouped,
    offering_of,
    refusal_status,
    seats_of,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/academie")
async def academy_home(p: Visit) -> Response:
    p.require(Role.ACADEMY_ADMIN)
    found = await academies(p)
    for academy in found:
        offerings = await p.apis.get(
            "catalogue", "/offerings", academy_id=academy["academy_id"], status="all", limit=500
        )
        offerings.sort(key=lambda o: (o["status"] == "withdrawn", _first_start(o)))
        seats = await asyncio.gather(*(seats_of(p, o["offering_id"]) for o in offerings))
        academy["offerings"] = [{**o, "seats": s} for o, s in zip(offerings, seats, strict=True)]
    return p.render("academy_home.html", academies=found, counted=_counted)


def _first_start(offering: dict[str, Any]) -> str:
    """When the offering starts, to list the first first; one without dates last."""
    return min((s["starts_at"] for s in offering["sessions"]), default="9999")


def _counted(seats: dict[str, Any], state: str) -> int:
    return sum(1 for e in seats["enrollments"] if e["status"] == state)


async def _form_page(
    p: Page, form: OfferingForm, offering: dict[str, Any] | None = None,
    problem: str = "", status: int = 200,
) -> Response:  # fmt: skip
    """The publish form (`offering` None) or the edit form, with what went wrong."""
    return p.render(
        "academy_form.html", status, form=form, offering=offering, choices=CHOICES,
        academies=await academies(p) if offering is None else [], problem=problem,
    )  # fmt: skip


async def _save(p: Page, form: OfferingForm, offering: dict[str, Any] | None) -> Response:
    """Publishes the form (POST) or saves the changes (PATCH); a refusal brings the form
    back as it was, with the reason."""
    try:
        if offering is None:
            body = {"academy_id": form.academy_id, "kind": form.kind, **form.content(p.t)}
            made = await p.apis.post("catalogue", "/offerings", body)
            offering_id, done = made["offering_id"], "academy.done.published"
        else:
            offering_id, done = offering["offering_id"], "academy.done.updated"
            await p.apis.patch("catalogue", f"/offerings/{offering_id}", form.content(p.t))
    except FormProblem as e:
        why = p.t(e.key, **e.values)
        return await _form_page(p, form.with_blank_rows(), offering, why, 422)
    except Refused as e:
        status = refusal_status(e)
        why = p.t("academy.form.refused", why=e.reason)
        return await _form_page(p, form.with_blank_rows(), offering, why, status)
    return p.back(f"{HOME}/aanbod/{offering_id}", done)


@router.get("/academie/aanbod/nieuw")
async def publish_form(p: Visit, academie: str = "") -> Response:
    p.require(Role.ACADEMY_ADMIN)
    return await _form_page(p, OfferingForm(academy_id=academie).with_blank_rows(3))


@router.post("/academie/aanbod/nieuw")
async def publish(p: Visit) -> Response:
    posted = await p.form()
    p.require(Role.ACADEMY_ADMIN)
    form = OfferingForm.posted(posted)
    if posted.get("meer"):
        return await _form_page(p, form.with_more_rows())
    return await _save(p, form, None)


@router.get("/academie/aanbod/{offering_id}/bewerken")
async def edit_form(p: Visit, offering_id: str) -> Response:
    offering = await offering_of(p, path_id(offering_id))
    return await _form_page(p, OfferingForm.of(offering).with_blank_rows(), offering)


@router.post("/academie/aanbod/{offering_id}/bewerken")
async def edit(p: Visit, offering_id: str) -> Response:
    posted = await p.form()
    offering = await offering_of(p, path_id(offering_id))
    form = OfferingForm.posted(posted)
    if posted.get("meer"):
        return await _form_page(p, form.with_more_rows(), offering)
    return await _save(p, form, offering)


async def _offering_page(
    p: Page, offering_id: UUID, problem: str = "", status: int = 200
) -> Response:
    offering = await offering_of(p, offering_id)
    seats = await seats_of(p, offering_id)
    return p.render(
        "academy_offering.html", status, offering=offering, seats=seats,
        groups=await grouped(p, seats), completion_day=_completion_day(offering),
        problem=problem,
    )  # fmt: skip


def _completion_day(offering: dict[str, Any]) -> str:
    """The day a completion by hand is proposed on: the last session's once it is past,
    so that the hours count in the school year the offering ran in; else today."""
    today = dutch_today()
    ends = (datetime.fromisoformat(s["ends_at"]).astimezone(TIMEZONE) for s in offering["sessions"])
    return min(max((e.date() for e in ends), default=today), today).isoformat()


@router.get("/academie/aanbod/{offering_id}")
async def offering_page(p: Visit, offering_id: str) -> Response:
    return await _offering_page(p, path_id(offering_id))


async def _act(
    p: Page, offering_id: UUID, call: tuple[str, str], body: dict[str, Any], done: str
) -> Response:
    """A change made on the offering page (`call`: the service and path to post to): back
    to it with a notice, or with the reason the service refused."""
    try:
        await p.apis.post(*call, body)
    except Refused as e:
        status = refusal_status(e)
        return await _offering_page(p, offering_id, p.t("academy.refused", why=e.reason), status)
    return p.back(f"{HOME}/aanbod/{offering_id}", done)


async def _reason(p: Page, offering_id: UUID, needed: str) -> tuple[str, Response | None]:
    """The reason posted, or (when left empty) the offering page saying it is needed."""
    reason = text(await p.form(), "reden")
    await offering_of(p, offering_id)
    return reason, None if reason else await _offering_page(p, offering_id, p.t(needed), 422)


@router.post("/academie/aanbod/{offering_id}/intrekken")
async def withdraw(p: Visit, offering_id: str) -> Response:
    offering = path_id(offering_id)
    reason, missing = await _reason(p, offering, "academy.withdraw.reason_needed")
    call = ("catalogue", f"/offerings/{offering}/withdraw")
    return missing or await _act(p, offering, call, {"reason": reason}, "academy.done.withdrawn")


@router.post("/academie/aanbod/{offering_id}/inschrijvingen/{enrollment_id}/niet-afgerond")
async def not_completed(p: Visit, offering_id: str, enrollment_id: str) -> Response:
    offering = path_id(offering_id)
    reason, missing = await _reason(p, offering, "academy.not_completed.reason_needed")
    call = ("enrollment", f"/enrollments/{path_id(enrollment_id)}/not-completed")
    done = "academy.done.not_completed"
    return missing or await _act(p, offering, call, {"reason": reason}, done)


@router.post("/academie/aanbod/{offering_id}/inschrijvingen/{enrollment_id}/afgerond")
async def complete(p: Visit, offering_id: str, enrollment_id: str) -> Response:
    """Completed by hand: the hours (the offering's unless changed) on the day given."""
    form = await p.form()
    offering = path_id(offering_id)
    await offering_of(p, offering)
    try:
        hours = number(text(form, "uren"), p.t("academy.complete.hours"))
        on = day(text(form, "datum"), p.t("academy.complete.on"))
    except FormProblem as e:
        return await _offering_page(p, offering, p.t(e.key, **e.values), 422)
    call = ("enrollment", f"/enrollments/{path_id(enrollment_id)}/complete")
    body = {"hours": hours, "completed_on": on}
    return await _act(p, offering, call, body, "academy.done.completed")


# Flat, as pages() reads them: the register's routes after these.
router.routes.extend(academy_register.router.routes)
