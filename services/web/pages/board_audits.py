"""The board's peer audits: the audit cycle of its schools, the audits planned and held,
scheduling one with a team from other schools, and moving or cancelling a planned one."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from services.shared.identity.directory import Person
from services.web.apis import Refused
from services.web.frame import Page, WebRoute, page
from services.web.i18n import Translator
from services.web.pages.board_schools import School, board_of, labels, schools_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Visit = Annotated[Page, Depends(page)]
MEMBERS = ("member-1", "member-2", "member-3", "member-4")
"""The form's team: a lead (voorzitter) and up to four members."""
FIELDS = ("school", "theme", "date", "lead", *MEMBERS)
CYCLES = (1, 2, 3, 4, 5, 6)
DEFAULT_CYCLE = 2


@dataclass(frozen=True)
class CycleRow:
    """One school in the board's audit cycle."""

    school: str
    last_audited_on: str | None
    themes: list[str]
    scheduled_on: str | None
    due_on: str | None
    due: bool


@router.get("/bestuur/audits")
async def audits(p: Visit, cyclus: str = "") -> Response:
    return await _audits_page(p, board_of(p), _cycle(cyclus))


@router.post("/bestuur/audits")
async def schedule(p: Visit) -> Response:
    form = await p.form()
    board = board_of(p)
    posted = {k: str(form.get(k, "")).strip() for k in FIELDS}
    members = await p.directory.members(board)
    body, problem = _audit(posted, board, members, p.t)
    if body is None:
        return await _audits_page(p, board, DEFAULT_CYCLE, posted, problem, 422)
    await p.apis.post("catalogue", "/audits", body)
    return p.back("/bestuur/audits", "board.audit.scheduled")


@router.post("/bestuur/audits/{audit_id}/verplaatsen")
async def reschedule(audit_id: str, p: Visit) -> Response:
    form = await p.form()
    board = board_of(p)
    day = _day(str(form.get("date", "")))
    if day is None:
        problem = p.t("board.audit.problem.date")
        return await _audits_page(p, board, DEFAULT_CYCLE, problem=problem, status=422)
    body = {"audit_date": day.isoformat(), "reason": str(form.get("reason", "")).strip()}
    await p.apis.post("catalogue", f"/audits/{_audit_id(audit_id)}/reschedule", body)
    return p.back("/bestuur/audits", "board.audit.moved")


@router.post("/bestuur/audits/{audit_id}/annuleren")
async def cancel(audit_id: str, p: Visit) -> Response:
    form = await p.form()
    board_of(p)
    body = {"reason": str(form.get("reason", "")).strip()}
    await p.apis.post("catalogue", f"/audits/{_audit_id(audit_id)}/cancel", body)
    return p.back("/bestuur/audits", "board.audit.cancelled")


async def _audits_page(
    p: Page,
    board: UUID,
    every_years: int,
    posted: dict[str, str] | None = None,
    problem: str = "",
    status: int = 200,
) -> Response:
    members = await p.directory.members(board)
    schools = schools_of(members, p.t)
    cycle = await p.apis.get("portfolio", f"/boards/{board}/audits", every_years=every_years)
    found = [a for a in await p.apis.get("catalogue", "/audits") if a["board_id"] == str(board)]
    planned = sorted((a for a in found if a["status"] == "scheduled"), key=_when)
    held = sorted((a for a in found if a["status"] != "scheduled"), key=_when, reverse=True)
    label = labels(schools)
    return p.render(
        "board_audits.html", status,
        rows=_cycle_rows(schools, cycle, planned, p.t("board.school.former")),
        planned=planned, held=held, school_label=label, schools=schools,
        names=await p.names(m["staff_id"] for a in found for m in a["team"]),
        candidates=_candidates(members, label), posted=posted or {}, problem=problem,
        members=MEMBERS, cycles=CYCLES, every_years=every_years,
    )  # fmt: skip


def _cycle_rows(
    schools: list[School], cycle: list[dict[str, Any]], planned: list[dict[str, Any]], former: str
) -> list[CycleRow]:
    """Every school of the board, audited or not (the portfolio's cycle knows only those
    ever audited); what is planned comes from the catalogue, which plans it."""
    by_school = {c["school_id"]: c for c in cycle}
    next_planned: dict[str, str] = {}
    for a in planned:
        next_planned.setdefault(a["school_id"], a["audit_date"])
    label = labels(schools)
    ids = [*label, *(s for s in by_school if s not in label)]
    rows = []
    for school in ids:
        c = by_school.get(school, {})
        scheduled = next_planned.get(school)
        due = scheduled is None and bool(c.get("due", True))
        rows.append(
            CycleRow(label.get(school, former), c.get("last_audited_on"), c.get("themes", []),
                     scheduled, c.get("due_on"), due)
        )  # fmt: skip
    return rows


def _candidates(members: list[Person], label: dict[str, str]) -> list[tuple[str, str]]:
    """Who may be on a team: the board's staff placed in a school, with their schools."""
    return [
        (str(m.staff_id), f"{m.name} ({', '.join(sorted(label[str(s)] for s in m.schools))})")
        for m in members
        if m.schools
    ]


def _audit(
    posted: dict[str, str], board: UUID, members: list[Person], t: Translator
) -> tuple[dict[str, Any] | None, str]:
    """The catalogue's AuditIn from the form, or what is wrong with the form. Each auditor
    goes for a school of theirs other than the audited one."""
    schools = {str(s) for m in members for s in m.schools}
    day = _day(posted["date"])
    if posted["school"] not in schools:
        return None, t("board.audit.problem.school")
    if not posted["theme"] or len(posted["theme"]) > 200:
        return None, t("board.audit.problem.theme")
    if day is None:
        return None, t("board.audit.problem.date")
    if not posted["lead"]:
        return None, t("board.audit.problem.lead")
    chosen = [posted["lead"], *(posted[k] for k in MEMBERS if posted[k])]
    if len(set(chosen)) != len(chosen):
        return None, t("board.audit.problem.twice")
    people = {str(m.staff_id): m for m in members}
    team = []
    for staff_id in chosen:
        person = people.get(staff_id)
        if person is None:
            return None, t("board.audit.problem.person")
        elsewhere = sorted(str(s) for s in person.schools if str(s) != posted["school"])
        if not elsewhere:
            return None, t("board.audit.problem.same_school", name=person.name)
        role = "lead" if staff_id == posted["lead"] else "member"
        team.append({"staff_id": staff_id, "school_id": elsewhere[0], "role": role})
    body = {"school_id": posted["school"], "board_id": str(board), "theme": posted["theme"],
            "audit_date": day.isoformat(), "team": team}  # fmt: skip
    return body, ""


def _when(audit: dict[str, Any]) -> str:
    return str(audit["audit_date"])


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 9000 else None


def _cycle(text: str) -> int:
    return int(text) if text.isdigit() and int(text) in CYCLES else DEFAULT_CYCLE


def _audit_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise Refused(404, "") from None
