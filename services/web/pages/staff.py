"""The staff member's pages: find an offering and enrol (or join the waiting or interest
list, or ask the school leader), my enrolments and their history, my calendar feed, my
portfolio (updating itself) with my own learning and reflections, the PDF dossier and my
data export, and my development plan (POP)."""

import hashlib
import json
import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any
from uuid import UUID, uuid4

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from contracts.portfolio import LearningKind
from contracts.values import CompetenceDomain, OfferingKind, StaffRole
from services.shared.clock import dutch_today, school_year
from services.shared.identity.access import Role
from services.web.apis import Refused, Unavailable
from services.web.auth import SignInNeeded
from services.web.forms import listed, tags, text
from services.web.frame import Page, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Visit = Annotated[Page, Depends(page)]
KINDS = [k.value for k in OfferingKind]
DOMAINS = [d.value for d in CompetenceDomain]
TEACHING = [d for d in DOMAINS if d != CompetenceDomain.SCHOOL_LEADERSHIP]
ROLES = [r.value for r in StaffRole]
LEARNING = [k.value for k in LearningKind]
PLAN_ROWS = 5
MAX_GOALS = 20
"""As many goals as a plan holds (the portfolio's PlanIn)."""
SCHOOL_YEAR = re.compile(r"[0-9]{4}-[0-9]{4}")


@router.get("/aanbod")
async def offerings(
    p: Visit,
    tekst: str = "",
    soort: str = "",
    domein: str = "",
    doel: str = "",
    vanaf: str = "",
    tot: str = "",
    vrij: str = "",
) -> HTMLResponse:
    p.require(Role.STAFF)
    chosen = {"tekst": tekst, "soort": soort, "domein": domein, "doel": doel,
              "vanaf": vanaf, "tot": tot, "vrij": vrij}  # fmt: skip
    found = await p.apis.get(
        "catalogue", "/offerings",
        text=tekst.strip()[:100] or None, kind=soort if soort in KINDS else None,
        domain=domein if domein in DOMAINS else None, goal_tag=doel.strip()[:80] or None,
        starts_from=vanaf or None, starts_until=tot or None, open_seats="true" if vrij else None,
    )  # fmt: skip
    return p.render(
        "staff_offerings.html", offerings=found, chosen=chosen, kinds=KINDS, domains=DOMAINS
    )


async def _offering_page(p: Page, offering_id: UUID, clash: str = "") -> HTMLResponse:
    offering = await p.apis.get("catalogue", f"/offerings/{offering_id}")
    try:
        seats = await p.apis.get("enrollment", f"/offerings/{offering_id}")
    except Refused as e:  # enrollment has not heard of it yet (it learns from the events)
        if e.status != 404:
            raise
        seats = None
    mine = [e for e in (seats or {}).get("enrollments", []) if e["staff_id"] == p.me]
    live = [e for e in mine if e["status"] not in ("cancelled", "declined")]
    waiting = len((seats or {}).get("waiting_list", []))
    role = await _my_role(p)
    return p.render(
        "staff_offering.html", offering=offering, seats=seats, mine=live[-1] if live else None,
        waiting=waiting, roles=ROLES, role=role, clash=clash, key=str(uuid4()),
    )  # fmt: skip


async def _my_role(p: Page) -> str:
    """The person's job as their board recorded it in their profile; a teacher if none."""
    try:
        portfolio = await p.apis.get("portfolio", f"/staff/{p.me}/portfolio")
    except (Refused, Unavailable):
        return StaffRole.TEACHER.value
    profile = portfolio.get("profile") or {}
    return str(profile.get("role") or StaffRole.TEACHER.value)


def _own_domains(p: Page) -> list[str]:
    """The competence domains of the person's own professional standard: a teacher's three,
    and for a school leader also their own."""
    return DOMAINS if p.has(Role.LEADER) else TEACHING


@router.get("/aanbod/{offering_id}")
async def offering(p: Visit, offering_id: UUID) -> HTMLResponse:
    p.require(Role.STAFF)
    return await _offering_page(p, offering_id)


@router.post("/aanbod/{offering_id}/inschrijven")
async def enrol(p: Visit, offering_id: UUID) -> Response:
    form = await p.form()
    role = text(form, "functie")
    body = {
        "offering_id": str(offering_id),
        "role": role if role in ROLES else StaffRole.TEACHER.value,
        "confirm_overlap": text(form, "toch") == "ja",
    }
    try:
        made = await p.apis.post(
            "enrollment", "/enrollments", body, headers={"Idempotency-Key": text(form, "sleutel")}
        )
    except Refused as e:
        if e.status == 409 and "confirm_overlap" in e.reason:
            return await _offering_page(p, offering_id, clash=e.reason.split(": ", 1)[-1])
        raise
    return p.back(f"/aanbod/{offering_id}", f"notice.{made['status']}")


@router.post("/inschrijvingen/{enrollment_id}/afmelden")
async def cancel(p: Visit, enrollment_id: UUID) -> Response:
    await p.form()
    await p.apis.post("enrollment", f"/enrollments/{enrollment_id}/cancel", {})
    return p.back("/inschrijvingen", "notice.cancelled")


@router.get("/inschrijvingen")
async def enrollments(p: Visit) -> HTMLResponse:
    p.require(Role.STAFF)
    return await _enrollments(p, feed="")


async def _enrollments(p: Page, feed: str) -> HTMLResponse:
    mine = await p.apis.get("enrollment", f"/staff/{p.me}/enrollments")
    titles: dict[str, dict[str, Any]] = {}
    for e in mine:
        if e["offering_id"] not in titles:
            try:
                titles[e["offering_id"]] = await p.apis.get(
                    "catalogue", f"/offerings/{e['offering_id']}"
                )
            except Refused:
                titles[e["offering_id"]] = {}
    return p.render("staff_enrollments.html", enrollments=mine, offerings=titles, feed=feed)


@router.post("/inschrijvingen/agenda")
async def calendar_feed(p: Visit) -> Response:
    await p.form()
    made = await p.apis.post("enrollment", f"/staff/{p.me}/calendar-feed", {})
    return await _enrollments(p, feed=str(made["url"]))


@router.get("/inschrijvingen/{enrollment_id}")
async def history(p: Visit, enrollment_id: UUID) -> HTMLResponse:
    p.require(Role.STAFF)
    enrollment = await p.apis.get("enrollment", f"/enrollments/{enrollment_id}")
    steps = await p.apis.get("enrollment", f"/enrollments/{enrollment_id}/history")
    for step in steps:
        step["what"] = "event." + step["type"].split(".")[-2]
    return p.render("staff_history.html", enrollment=enrollment, steps=steps)


@router.get("/portfolio")
async def portfolio(p: Visit, deel: str = "") -> HTMLResponse:
    """The whole page; `?deel=inhoud` only its changing part (what the page fetches when
    the portfolio changes)."""
    p.require(Role.STAFF)
    dossier = await p.apis.get("portfolio", f"/staff/{p.me}/portfolio")
    notes = [n for e in dossier["entries"] for n in e.get("notes", ())]
    names = await p.names(str(n.get("leader_id", "")) for n in notes)
    template = "staff_portfolio_live.html" if deel == "inhoud" else "staff_portfolio.html"
    year = school_year(dutch_today())
    this_year = next((y for y in dossier["school_years"] if y["school_year"] == year), None)
    return p.render(
        template, dossier=dossier, names=names, kinds=LEARNING, domains=_own_domains(p),
        today=dutch_today().isoformat(), year=year, hours=this_year["hours"] if this_year else 0,
        target=dossier["target_hours_per_year"], version=_version(dossier),
    )  # fmt: skip


def _version(dossier: dict[str, Any]) -> str:
    """What the page shows, in a word: the open page asks again and compares."""
    return hashlib.sha256(json.dumps(dossier, sort_keys=True).encode()).hexdigest()[:16]


@router.post("/portfolio/activiteiten")
async def add_entry(p: Visit) -> Response:
    form = await p.form()
    body = {
        "title": text(form, "titel"),
        "kind": text(form, "soort"),
        "provider": text(form, "aanbieder"),
        "hours": text(form, "uren").replace(",", ".") or "0",
        "completed_on": text(form, "datum"),
        "domains": [d for d in listed(form, "domein") if d in DOMAINS],
        "goal_tags": tags(text(form, "speerpunten")),
        "description": text(form, "omschrijving"),
    }
    await p.apis.post("portfolio", f"/staff/{p.me}/entries", body)
    return p.back("/portfolio", "notice.entry_added")


@router.post("/portfolio/activiteiten/{entry_id}/reflecties")
async def reflect(p: Visit, entry_id: UUID) -> Response:
    form = await p.form()
    body = {"text": text(form, "reflectie")}
    await p.apis.post("portfolio", f"/staff/{p.me}/entries/{entry_id}/reflections", body)
    return p.back("/portfolio", "notice.reflection_added")


@router.get("/portfolio/updates")
async def updates(p: Visit) -> Response:
    """The portfolio's stream of changes, passed on with the visitor's token: an open
    page fetches its changing part again at each `changed`."""
    p.require(Role.STAFF)
    return await _passed_on(p, f"/staff/{p.me}/portfolio/changes", "text/event-stream")


@router.get("/portfolio/bekwaamheidsdossier.pdf")
async def dossier_pdf(p: Visit) -> Response:
    p.require(Role.STAFF)
    return await _passed_on(p, f"/staff/{p.me}/portfolio.pdf", "application/pdf")


@router.get("/portfolio/mijn-gegevens.zip")
async def export(p: Visit) -> Response:
    p.require(Role.STAFF)
    return await _passed_on(p, f"/staff/{p.me}/export.zip", "application/zip")


async def _passed_on(p: Page, path: str, media_type: str) -> Response:
    """A response of the portfolio's, streamed through as it comes (a PDF, a zip, events),
    on a client of its own: open streams never take the connections pages need."""
    client = streams(p.request)
    request = client.build_request(
        "GET", p.apis.urls["portfolio"] + path,
        headers={"Authorization": f"Bearer {p.visitor.token}"},
    )  # fmt: skip
    try:
        upstream = await client.send(request, stream=True)
    except httpx.HTTPError as e:
        raise Unavailable(f"portfolio: {type(e).__name__}") from e
    if upstream.status_code != 200:
        await upstream.aclose()
        if upstream.status_code == 401:
            raise SignInNeeded("/portfolio")
        if upstream.status_code >= 500 or upstream.status_code < 400:
            raise Unavailable(f"portfolio: {upstream.status_code}")
        raise Refused(upstream.status_code, "")

    async def relayed() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        finally:  # the browser went away, or the portfolio did: let go of the connection
            await upstream.aclose()

    kept = {k: v for k, v in upstream.headers.items() if k.lower() == "content-disposition"}
    return StreamingResponse(
        relayed(), media_type=media_type,
        headers={**kept, "Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )  # fmt: skip


def streams(request: Request) -> httpx.AsyncClient:
    """The client for streamed responses: as many at once as browsers keep open, no read
    timeout (an event stream is quiet for seconds at a time)."""
    found: httpx.AsyncClient | None = getattr(request.app.state, "web_streams", None)
    if found is None:
        limits = httpx.Limits(max_connections=2000, max_keepalive_connections=20)
        timeout = httpx.Timeout(15.0, read=None)
        found = request.app.state.web_streams = httpx.AsyncClient(limits=limits, timeout=timeout)
    return found


@router.get("/pop")
async def plan(p: Visit, jaar: str = "") -> HTMLResponse:
    p.require(Role.STAFF)
    year = jaar if SCHOOL_YEAR.fullmatch(jaar) else school_year(dutch_today())
    current = await p.apis.get("portfolio", f"/staff/{p.me}/plans/{year}")
    dossier = await p.apis.get("portfolio", f"/staff/{p.me}/portfolio")
    done = next((y for y in dossier["school_years"] if y["school_year"] == year), None)
    goals = list(current.get("goals", []))
    rows = goals + [{} for _ in range(max(PLAN_ROWS - len(goals), 1))]
    years = [school_year(date(dutch_today().year + n, 9, 1)) for n in (-2, -1, 0, 1)]
    return p.render(
        "staff_plan.html", year=year, rows=rows, done=done, domains=_own_domains(p), years=years
    )


@router.post("/pop/{year}")
async def save_plan(p: Visit, year: str) -> Response:
    form = await p.form()
    if not SCHOOL_YEAR.fullmatch(year):
        raise Refused(404, "")
    goals = []
    rows = text(form, "rijen")
    for n in range(min(int(rows), MAX_GOALS) if rows.isdigit() else 0):
        title = text(form, f"titel-{n}")
        if not title:
            continue
        goals.append({
            "title": title,
            "target_hours": text(form, f"uren-{n}").replace(",", ".") or "0",
            "domains": [d for d in listed(form, f"domein-{n}") if d in DOMAINS],
            "goal_tags": tags(text(form, f"speerpunten-{n}")),
        })  # fmt: skip
    await p.apis.put("portfolio", f"/staff/{p.me}/plans/{year}", {"goals": goals})
    return p.back(f"/pop?jaar={year}", "notice.plan_saved")
