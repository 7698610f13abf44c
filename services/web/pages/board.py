"""The board pages: the board at a glance, its yearly targets per staff role, and its staff
with their profiles (what each one's target follows). The peer audits are in board_audits."""

from collections.abc import Iterable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from contracts.values import Sector, StaffRole
from services.shared.identity.access import Role
from services.web.apis import Refused
from services.web.forms import decimal
from services.web.frame import Page, WebRoute, page
from services.web.pages import board_audits
from services.web.pages.board_schools import board_of, labels, plain, schools_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Visit = Annotated[Page, Depends(page)]
ROLES = tuple(r.value for r in StaffRole)
SECTORS = tuple(s.value for s in Sector)
OTHER_ROLES = tuple(r for r in Role if r is not Role.STAFF)
"""Every person is staff: the roles beside it are worth showing."""
MAX_HOURS, MIN_FTE, MAX_FTE = 1000.0, 0.001, 1.5
"""The portfolio's bounds (TargetsIn, ProfileIn), checked here to say which field is wrong."""


@router.get("/bestuur")
async def board_home(p: Visit) -> Response:
    board = board_of(p)
    members = await p.directory.members(board)
    schools = schools_of(members, p.t)
    unplaced = sum(1 for m in members if not m.schools)
    return p.render("board_home.html", schools=schools, total=len(members), unplaced=unplaced)


@router.get("/bestuur/normen")
async def targets(p: Visit) -> Response:
    board = board_of(p)
    current = await p.apis.get("portfolio", f"/boards/{board}/targets")
    values = {r: plain(current["hours_per_year"].get(r)) for r in ROLES}
    return p.render("board_targets.html", roles=ROLES, current=current, values=values, wrong=())


@router.post("/bestuur/normen")
async def set_targets(p: Visit) -> Response:
    form = await p.form()
    board = board_of(p)
    typed = {r: str(form.get(r, "")) for r in ROLES}
    hours: dict[str, float] = {}
    wrong: list[str] = []
    for role, text in typed.items():
        try:
            value = decimal(text)
        except ValueError:
            wrong.append(role)
            continue
        if value is not None and not 0 <= value <= MAX_HOURS:
            wrong.append(role)
        elif value is not None:
            hours[role] = value
    if wrong:
        current = await p.apis.get("portfolio", f"/boards/{board}/targets")
        return p.render(
            "board_targets.html", 422, roles=ROLES, current=current, values=typed, wrong=wrong
        )
    # Roles left empty follow the collective agreement's hours (the PUT replaces all).
    await p.apis.put("portfolio", f"/boards/{board}/targets", {"hours_per_year": hours})
    return p.back("/bestuur/normen", "board.targets.saved")


@router.get("/bestuur/medewerkers")
async def staff(p: Visit, school: str = "") -> Response:
    board = board_of(p)
    members = await p.directory.members(board)
    schools = schools_of(members, p.t)
    chosen = next((s for s in schools if str(s.school_id) == school), None)
    label = labels(schools)
    shown = [
        (m, _named(m.schools, label))
        for m in members
        if chosen is None or chosen.school_id in m.schools
    ]
    return p.render(
        "board_staff.html", schools=schools, chosen=chosen, members=shown, roles_shown=OTHER_ROLES
    )


@router.get("/bestuur/medewerkers/{staff_id}")
async def staff_member(staff_id: str, p: Visit) -> Response:
    board = board_of(p)
    person = _staff_id(staff_id)
    profile = await p.apis.get("portfolio", f"/staff/{person}/profile")  # theirs, or refused
    return await _profile_page(p, board, person, profile, _prefill(profile))


@router.post("/bestuur/medewerkers/{staff_id}")
async def set_profile(staff_id: str, p: Visit) -> Response:
    form = await p.form()
    board = board_of(p)
    person = _staff_id(staff_id)
    typed = {k: str(form.get(k, "")).strip() for k in ("role", "sector", "fte", "team")}
    chosen = [str(s) for s in form.getlist("school")]
    values: dict[str, Any] = {**typed, "schools": chosen}
    members = await p.directory.members(board)
    own_schools = {str(s) for m in members for s in m.schools}
    wrong = _wrong_profile(typed, chosen, own_schools)
    if wrong:
        profile = await p.apis.get("portfolio", f"/staff/{person}/profile")
        return await _profile_page(p, board, person, profile, values, wrong, 422)
    body = {
        "board_id": str(board), "role": typed["role"], "sector": typed["sector"],
        "fte": decimal(typed["fte"]), "school_ids": chosen, "team": typed["team"],
    }  # fmt: skip
    await p.apis.put("portfolio", f"/staff/{person}/profile", body)
    return p.back(f"/bestuur/medewerkers/{person}", "board.profile.saved")


def _named(schools: Iterable[UUID], label: dict[str, str]) -> list[str]:
    return sorted(label.get(str(s), "") for s in schools)


def _staff_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise Refused(404, "") from None


def _prefill(profile: dict[str, Any] | None) -> dict[str, Any]:
    if profile is None:
        return {"role": "", "sector": "", "fte": "1", "team": "", "schools": None}
    return {
        "role": profile["role"], "sector": profile["sector"], "fte": plain(profile["fte"]),
        "team": profile["team"], "schools": [str(s) for s in profile["school_ids"]],
    }  # fmt: skip


def _wrong_profile(typed: dict[str, str], chosen: list[str], own_schools: set[str]) -> list[str]:
    wrong = [k for k, allowed in (("role", ROLES), ("sector", SECTORS)) if typed[k] not in allowed]
    try:
        fte = decimal(typed["fte"])
    except ValueError:
        fte = None
    if fte is None or not MIN_FTE <= fte <= MAX_FTE:
        wrong.append("fte")
    if not set(chosen) <= own_schools:
        wrong.append("schools")
    if len(typed["team"]) > 100:
        wrong.append("team")
    return wrong


async def _profile_page(
    p: Page,
    board: UUID,
    staff_id: UUID,
    profile: dict[str, Any] | None,
    values: dict[str, Any],
    wrong: list[str] | tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    person = await p.directory.person(staff_id)
    if person is None or person.board_id != board:
        raise Refused(404, "")
    schools = schools_of(await p.directory.members(board), p.t)
    if values["schools"] is None:  # no profile yet: the schools the directory places them in
        values = {**values, "schools": [str(s) for s in person.schools]}
    norm = None
    if profile is not None:
        current = await p.apis.get("portfolio", f"/boards/{board}/targets")
        full = current["hours_per_year"].get(
            profile["role"], current["defaults"][profile["sector"]]
        )
        norm = full * profile["fte"]
    return p.render(
        "board_member.html", status, person=person, profile=profile, values=values, wrong=wrong,
        schools=schools, person_schools=_named(person.schools, labels(schools)), roles=ROLES,
        sectors=SECTORS, norm=norm, roles_shown=OTHER_ROLES,
    )  # fmt: skip


router.routes.extend(board_audits.router.routes)
