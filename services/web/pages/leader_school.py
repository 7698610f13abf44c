"""The leader's school: hours this school year against each person's target, who is short,
per domain and per school goal; a staff member's portfolio with leader notes; and the
school's peer audits with their follow-up."""

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from services.shared.identity.directory import Person
from services.web.apis import Refused
from services.web.forms import path_id
from services.web.frame import Page, WebRoute, page
from services.web.pages.leader_shared import chosen_school, led, school_labels, staff_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Visit = Annotated[Page, Depends(page)]
AT_ONCE = 8
"""Portfolios read side by side for the overview: enough to be quick, not a flood."""


@dataclass(frozen=True)
class Progress:
    """One staff member's hours in the school year against their target."""

    staff_id: str
    name: str
    hours: float
    target: float | None

    @property
    def short(self) -> float:
        return 0.0 if self.target is None else max(self.target - self.hours, 0.0)

    @property
    def share(self) -> int:
        """Percent of the target reached, for the bar (at most 100)."""
        return 100 if not self.target else min(round(100 * self.hours / self.target), 100)


@router.get("/school")
async def school(p: Visit, school: str = "") -> Response:
    chosen, schools = chosen_school(p, school)
    overview = await p.apis.get("portfolio", f"/schools/{chosen}/overview")
    year = overview["school_year"]
    staff = await staff_of(p, [chosen])
    years = await _years(p, staff, year)
    progress = [_progress(person, years.get(str(person.staff_id))) for person in staff]
    progress += await _short_elsewhere(p, overview, {row.staff_id for row in progress})
    by_domain, by_goal = _totals(years.values())
    return p.render(
        "leader_school.html", school=str(chosen), schools=school_labels(p, schools),
        overview=overview, year=year, progress=progress, by_domain=by_domain, by_goal=by_goal,
        short=[row for row in progress if row.short > 0],
    )  # fmt: skip


async def _years(p: Page, staff: list[Person], year: str) -> dict[str, dict[str, Any]]:
    """Each person's figures for the school year, from their portfolio."""
    limit = asyncio.Semaphore(AT_ONCE)

    async def one(staff_id: UUID) -> dict[str, Any] | None:
        async with limit:
            try:
                dossier = await p.apis.get("portfolio", f"/staff/{staff_id}/portfolio")
            except Refused:  # gone from the school since the directory was read
                return None
        found = next((y for y in dossier["school_years"] if y["school_year"] == year), None)
        return found or {"hours": 0.0, "by_domain": {}, "by_goal_tag": {},
                         "target": dossier["target_hours_per_year"]}  # fmt: skip

    answers = await asyncio.gather(*(one(person.staff_id) for person in staff))
    return {str(s.staff_id): a for s, a in zip(staff, answers, strict=True) if a is not None}


def _progress(person: Person, year: dict[str, Any] | None) -> Progress:
    year = year or {}
    return Progress(str(person.staff_id), person.name, year.get("hours", 0.0), year.get("target"))


async def _short_elsewhere(p: Page, overview: dict[str, Any], shown: set[str]) -> list[Progress]:
    """Who the portfolio counts as short at the school (by their profile) but the directory
    does not place there (any more)."""
    missing = [s for s in overview["short_of_target"] if str(s["staff_id"]) not in shown]
    names = await p.names(s["staff_id"] for s in missing)
    return [
        Progress(str(s["staff_id"]), names[str(s["staff_id"])], s["hours"], s["target"])
        for s in missing
    ]


def _totals(years: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Hours per competence domain and per school goal, over the school's staff."""
    by_domain: dict[str, float] = defaultdict(float)
    by_goal: dict[str, float] = defaultdict(float)
    for year in years:
        for domain, hours in year.get("by_domain", {}).items():
            by_domain[domain] += hours
        for goal, hours in year.get("by_goal_tag", {}).items():
            by_goal[goal] += hours
    return dict(sorted(by_domain.items())), dict(sorted(by_goal.items()))


@router.get("/school/medewerkers/{staff_id}")
async def staff_member(staff_id: str, p: Visit) -> Response:
    """A staff member's portfolio as their school leader sees it (the portfolio refuses
    anyone else's)."""
    led(p)
    dossier = await p.apis.get("portfolio", f"/staff/{path_id(staff_id)}/portfolio")
    leaders = {n["leader_id"] for e in dossier["entries"] for n in e["notes"]}
    names = await p.names([dossier["staff_id"], *leaders])
    return p.render("leader_staff.html", dossier=dossier, names=names)


@router.post("/school/medewerkers/{staff_id}/notities/{entry_id}")
async def add_note(staff_id: str, entry_id: str, p: Visit) -> Response:
    form = await p.form()
    led(p)
    person, entry = path_id(staff_id), path_id(entry_id)
    text = str(form.get("notitie", "")).strip()
    await p.apis.post("portfolio", f"/staff/{person}/entries/{entry}/notes", {"text": text})
    return p.back(f"/school/medewerkers/{person}", "leader.done.note")


@router.get("/school/audits")
async def audits(p: Visit, school: str = "") -> Response:
    chosen, schools = chosen_school(p, school)
    history = await p.apis.get("portfolio", f"/schools/{chosen}/audits")
    people = {m["staff_id"] for a in history["audits"] for m in a["team"]}
    people |= {
        f["recorded_by"] for a in history["audits"] for x in a["points"] for f in x["actions"]
    }
    return p.render(
        "leader_audits.html", school=str(chosen), schools=school_labels(p, schools),
        audits=list(reversed(history["audits"])), names=await p.names(people),
    )  # fmt: skip


@router.post("/school/audits/{audit_id}/opvolging")
async def follow_up(audit_id: str, p: Visit) -> Response:
    form = await p.form()
    chosen, _ = chosen_school(p, str(form.get("school", "")))
    try:
        point = int(str(form.get("punt", "")))
    except ValueError:
        raise Refused(422, "punt") from None
    body = {
        "point_index": point,
        "action": str(form.get("actie", "")).strip(),
        "closed": form.get("afgehandeld") == "ja",
    }
    await p.apis.post("portfolio", f"/schools/{chosen}/audits/{path_id(audit_id)}/follow-ups", body)
    return p.back(f"/school/audits?school={chosen}", "leader.done.follow_up")
