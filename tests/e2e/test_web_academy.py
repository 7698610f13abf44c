"""The academy administrator's pages in real headless Chromium: an administrator publishes
an offering with one session through the form, sees it listed, keeps the attendance
register when two staff members have enrolled (present: completed by the offering's
criteria; absent: not completed), and records the absent one as completed by hand. A
staff member who opens the academy pages is told why not."""

from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Page, expect

from huisacademie.demo import Endpoints, wait_for
from services.shared.clock import dutch_today
from tests.support.people import PASSWORD, Caller, People
from tests.support.web import browser, check, new_page, screenshot, sign_in

pytestmark = pytest.mark.e2e

TITLE = "Begrijpend lezen in groep 5"


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def fits_a_phone(page: Page) -> None:
    """At a phone's width (375 px) the page scrolls only up and down (tables scroll inside
    their own frame)."""
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    page.set_viewport_size({"width": 1100, "height": 900})


def publishes(page: Page, day: str) -> str:
    """Publishes the offering through the form; its id."""
    page.get_by_role("link", name="Nieuw aanbod publiceren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw aanbod publiceren")
    check(page)
    fits_a_phone(page)
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Soort aanbod").select_option(label="Workshop")
    page.get_by_label("Beschrijving").fill("Strategieën die je morgen in de klas gebruikt.")
    page.get_by_label("Studie-uren").fill("3.5")
    page.get_by_label("Aantal plaatsen").fill("12")
    first = page.get_by_role("group", name="Sessie 1")
    first.get_by_label("Datum").fill(day)
    first.get_by_label("Begintijd").fill("14:00")
    first.get_by_label("Eindtijd").fill("17:30")
    first.get_by_label("Locatie").fill("Leercentrum, lokaal 2")
    page.get_by_label("Leraar").check()
    page.get_by_label("Vakdidactisch bekwaam").check()
    # A refusal of the catalogue brings the form back as it was, saying why.
    page.get_by_label("Speerpunten").fill("lezen " * 20)
    page.get_by_role("button", name="Aanbod publiceren").click()
    expect(page.get_by_role("alert")).to_contain_text("Het aanbod is niet opgeslagen: goal_tags")
    expect(page.get_by_label("Titel")).to_have_value(TITLE)
    expect(page.get_by_role("group", name="Sessie 1").get_by_label("Eindtijd")).to_have_value(
        "17:30"
    )
    expect(page.get_by_label("Vakdidactisch bekwaam")).to_be_checked()
    check(page)
    page.get_by_label("Speerpunten").fill("lezen, woordenschat")
    screenshot(page, "academie-publiceren")
    page.get_by_role("button", name="Aanbod publiceren").click()
    expect(page.get_by_role("status")).to_have_text("Het aanbod is gepubliceerd.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("row", name="Leercentrum, lokaal 2")).to_contain_text("14:00 tot 17:30")
    check(page)
    return page.url.split("?")[0].rsplit("/", 1)[1]


def enrols(endpoints: Endpoints, admin: Caller, staff: Caller, offering_id: str) -> None:
    known = f"{endpoints.enrollment}/offerings/{offering_id}"
    wait_for(
        "enrollment to know the offering",
        lambda: httpx.get(known, headers=admin.headers).is_success,
    )
    body = {"role": "teacher", "offering_id": offering_id}
    made = ok(httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=staff.headers))
    assert made["status"] == "enrolled"


def keeps_the_register(page: Page, present: str, absent: str) -> None:
    page.get_by_role("link", name="Presentielijst").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Presentielijst: {TITLE}")
    check(page)
    page.get_by_label(present).check()
    expect(page.get_by_label(absent)).not_to_be_checked()
    screenshot(page, "academie-presentielijst")
    page.get_by_role("button", name="Aanwezigheid opslaan").click()
    expect(page.get_by_role("status")).to_have_text("De aanwezigheid is opgeslagen.")
    # One session: with it recorded, completion follows by the offering's criteria.
    expect(page.get_by_role("row", name=present)).to_contain_text("Aanwezig")
    expect(page.get_by_role("row", name=present)).to_contain_text("Afgerond")
    expect(page.get_by_role("row", name=absent)).to_contain_text("Afwezig")
    expect(page.get_by_role("row", name=absent)).to_contain_text("Niet afgerond")
    check(page)
    fits_a_phone(page)


def completes_by_hand(page: Page, absent: str) -> None:
    page.get_by_role("link", name=f"Terug naar {TITLE}").click()
    row = page.get_by_role("row", name=absent)
    expect(row).to_contain_text("Niet afgerond")
    row.get_by_text(f"Afronding vastleggen voor {absent}").click()
    expect(row.get_by_label("Studie-uren")).to_have_value("3.5")
    row.get_by_role("button", name="Afgerond").click()
    expect(page.get_by_role("status")).to_have_text("De afronding is vastgelegd.")
    expect(page.get_by_role("row", name=absent)).to_contain_text("Afgerond")
    expect(page.get_by_role("row", name=absent)).to_contain_text("3,5 uur")
    check(page)
    fits_a_phone(page)


def edits_and_withdraws(page: Page, day: str) -> None:
    page.get_by_role("link", name="Aanbod bewerken").click()
    expect(page.get_by_label("Titel")).to_have_value(TITLE)
    first = page.get_by_role("group", name="Sessie 1")
    expect(first.get_by_label("Datum")).to_have_value(day)
    expect(first.get_by_label("Begintijd")).to_have_value("14:00")
    expect(page.get_by_label("Speerpunten")).to_have_value("lezen, woordenschat")
    check(page)
    page.get_by_label("Aantal plaatsen").fill("15")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_role("status")).to_have_text("De wijzigingen zijn opgeslagen.")
    expect(page.get_by_text("2 van de 15")).to_be_visible()
    page.get_by_label("Reden van intrekken").fill("De trainer is langdurig ziek.")
    page.get_by_role("button", name="Aanbod intrekken").click()
    expect(page.get_by_role("status")).to_contain_text("Het aanbod is ingetrokken")
    expect(page.get_by_role("link", name="Aanbod bewerken")).to_have_count(0)
    check(page)
    page.get_by_role("link", name="Terug naar het aanbod van de academie").click()
    expect(page.get_by_role("listitem").filter(has_text=TITLE)).to_contain_text("Ingetrokken")
    check(page)


def test_an_academy_publishes_an_offering_and_keeps_attendance(
    endpoints: Endpoints, people: People
) -> None:
    board, school = str(uuid4()), str(uuid4())
    academy = ok(httpx.post(
        f"{endpoints.catalogue}/academies",
        json={"name": f"Academie Noordkust {uuid4().hex[:4]}", "board_id": board},
        headers=people.board_admin(board).headers,
    ))  # fmt: skip
    admin = people.academy_admin(board, academy["academy_id"])
    present = people.staff(board, schools=[school], name="Iris Willems")
    absent = people.staff(board, schools=[school], name="Omar Haddou")
    day = (dutch_today() + timedelta(days=21)).isoformat()

    with browser() as b:
        outsider = new_page(b)
        sign_in(outsider, endpoints.web, present.username, PASSWORD)
        refused = outsider.goto(f"{endpoints.web}/academie")
        assert refused is not None and refused.status == 403
        expect(outsider.get_by_role("alert")).to_contain_text("academiebeheerder")
        check(outsider)

        page = new_page(b)
        sign_in(page, endpoints.web, admin.username, PASSWORD, "/academie")
        expect(page.get_by_role("heading", level=2)).to_have_text(academy["name"])
        check(page)
        offering_id = publishes(page, day)

        enrols(endpoints, admin, present, offering_id)
        enrols(endpoints, admin, absent, offering_id)
        page.goto(f"{endpoints.web}/academie")
        card = page.get_by_role("listitem").filter(has_text=TITLE)
        expect(card).to_contain_text("2 van de 12")
        check(page)
        screenshot(page, "academie-aanbod")

        card.get_by_role("link", name=TITLE).click()
        participants = page.get_by_role("table").filter(has_text="Iris Willems")
        expect(participants).to_contain_text("Omar Haddou")
        check(page)
        keeps_the_register(page, "Iris Willems", "Omar Haddou")
        unknown = page.goto(f"{endpoints.web}/academie/aanbod/{offering_id}/sessies/geen-sessie")
        assert unknown is not None and unknown.status == 404
        page.go_back()
        completes_by_hand(page, "Omar Haddou")
        edits_and_withdraws(page, day)
