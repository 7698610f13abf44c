"""Enrolling a team: find an offering, tick staff of the leader's schools, enrol them all
(or, seats short, none); or reserve seats, fill them with names later, give back the rest."""

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Response
from starlette.datastructures import FormData

from contracts.values import CompetenceDomain, OfferingKind
from services.shared.clock import dutch_today
from services.web.apis import Refused
from services.web.forms import path_id
from services.web.frame import Page, WebRoute, page
from services.web.pages.leader_shared import (
    STAFF_ROLES,
    conflict,
    led,
    school_enrollments,
    staff_of,
    standing,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Visit = Annotated[Page, Depends(page)]
FILTERS = ("tekst", "soort", "domein", "vanaf", "vrij")


@router.get("/team")
async def team(p: Visit, aanbod: str = "") -> Response:
    """With `?aanbod=`: the offering and the team form; else a search of the catalogue."""
    schools = led(p)
    if aanbod:
        return await _offering(p, schools, path_id(aanbod))
    asked = {k: p.request.query_params.get(k, "") for k in FILTERS}
    if not any(k in p.request.query_params for k in FILTERS):
        asked["vanaf"] = dutch_today().isoformat()  # by default, what is still to come
    found = await p.apis.get(
        "catalogue", "/offerings", text=asked["tekst"], kind=asked["soort"],
        domain=asked["domein"], starts_from=asked["vanaf"],
        open_seats="true" if asked["vrij"] else None, limit=50,
    )  # fmt: skip
    return p.render(
        "leader_team_search.html", found=found, asked=asked,
        kinds=[k.value for k in OfferingKind], domains=[d.value for d in CompetenceDomain],
    )  # fmt: skip


async def _offering(
    p: Page,
    schools: list[UUID],
    offering_id: UUID,
    problem: str = "",
    ticked: frozenset[str] = frozenset(),
    status: int = 200,
) -> Response:
    offering = await p.apis.get("catalogue", f"/offerings/{offering_id}")
    return p.render(
        "leader_team.html", status,
        offering=offering, free=await _free_seats(p, offering_id),
        **await _team_of(p, schools, offering_id),
        problem=problem, ticked=ticked, key=uuid4(), roles=STAFF_ROLES,
    )  # fmt: skip


async def _free_seats(p: Page, offering_id: UUID) -> int | None:
    """Seats free now, as enrollment counts them (None: no limit, or not known yet)."""
    try:
        seats = await p.apis.get("enrollment", f"/offerings/{offering_id}")
    except Refused:  # a newly published offering reaches enrollment a moment later
        return None
    capacity = seats["capacity"]
    return None if capacity is None else max(int(capacity) - int(seats["enrolled"]), 0)


async def _team_of(p: Page, schools: list[UUID], offering_id: UUID) -> dict[str, Any]:
    """The staff of the leader's schools, with where each stands in the offering."""
    staff = await staff_of(p, schools)
    return {"staff": staff, "standing": standing(await school_enrollments(p, schools), offering_id)}


def _members(form: FormData) -> list[dict[str, str]]:
    """The ticked staff, each in the role chosen for them all."""
    role = str(form.get("functie", "teacher"))
    ticked = {str(path_id(str(s))) for s in form.getlist("lid")}
    return [{"staff_id": s, "role": role} for s in sorted(ticked)]


@router.post("/team")
async def enrol_team(p: Visit) -> Response:
    form = await p.form()
    schools = led(p)
    offering_id = path_id(str(form.get("aanbod", "")))
    members = _members(form)
    ticked = frozenset(m["staff_id"] for m in members)
    if not members:
        return await _offering(p, schools, offering_id, p.t("leader.team.none"), status=422)
    body = {
        "offering_id": str(offering_id),
        "members": members,
        "confirm_overlap": form.get("overlap") == "ja",
    }
    try:
        await p.apis.post("enrollment", "/teams/enrollments", body)
    except Refused as e:
        if e.status not in (409, 422):
            raise
        why = await conflict(p, e, len(members))
        return await _offering(p, schools, offering_id, why, ticked, status=e.status)
    return p.back(f"/team?aanbod={offering_id}", "leader.done.team")


@router.post("/team/reserveren")
async def reserve(p: Visit) -> Response:
    form = await p.form()
    schools = led(p)
    offering_id = path_id(str(form.get("aanbod", "")))
    try:
        seats = int(str(form.get("plaatsen", "")))
    except ValueError:
        return await _offering(p, schools, offering_id, p.t("leader.reserve.number"), status=422)
    key = str(form.get("sleutel", ""))[:200]
    try:
        held = await p.apis.post(
            "enrollment", f"/offerings/{offering_id}/reservations", {"seats": seats},
            headers={"Idempotency-Key": key} if key else None,
        )  # fmt: skip
    except Refused as e:
        if e.status not in (409, 422):
            raise
        why = await conflict(p, e, seats)
        return await _offering(p, schools, offering_id, why, status=e.status)
    return p.back(f"/team/reserveringen/{held['reservation_id']}", "leader.done.reserved")


@router.get("/team/reserveringen/{reservation_id}")
async def reservation(reservation_id: str, p: Visit) -> Response:
    return await _reservation(p, led(p), path_id(reservation_id))


async def _reservation(
    p: Page,
    schools: list[UUID],
    reservation_id: UUID,
    problem: str = "",
    ticked: frozenset[str] = frozenset(),
    status: int = 200,
) -> Response:
    held = await p.apis.get("enrollment", f"/reservations/{reservation_id}")
    offering = await p.apis.get("catalogue", f"/offerings/{held['offering_id']}")
    return p.render(
        "leader_reservation.html", status,
        held=held, offering=offering, **await _team_of(p, schools, held["offering_id"]),
        problem=problem, ticked=ticked, roles=STAFF_ROLES,
    )  # fmt: skip


@router.post("/team/reserveringen/{reservation_id}/vullen")
async def fill(reservation_id: str, p: Visit) -> Response:
    form = await p.form()
    schools = led(p)
    held = path_id(reservation_id)
    members = _members(form)
    ticked = frozenset(m["staff_id"] for m in members)
    if not members:
        return await _reservation(p, schools, held, p.t("leader.team.none"), status=422)
    try:
        await p.apis.post("enrollment", f"/reservations/{held}/fill", {"members": members})
    except Refused as e:
        if e.status not in (409, 422):
            raise
        why = await conflict(p, e, len(members))
        return await _reservation(p, schools, held, why, ticked, status=e.status)
    return p.back(f"/team/reserveringen/{held}", "leader.done.filled")


@router.post("/team/reserveringen/{reservation_id}/vrijgeven")
async def release(reservation_id: str, p: Visit) -> Response:
    await p.form()
    led(p)
    held = path_id(reservation_id)
    await p.apis.post("enrollment", f"/reservations/{held}/release")
    return p.back(f"/team/reserveringen/{held}", "leader.done.released")
