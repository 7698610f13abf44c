"""A staff member's journey in real Chromium: finds a course, joins its waiting list, is
given the place when a colleague cancels, and sees the completion appear in the portfolio
page they have open, without reloading it; sees the target their board set; and a second
journey done with the keyboard alone. Every page passes axe-core and is translated."""

import io
import uuid
import zipfile
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from huisacademie.demo import Endpoints, wait_for
from tests.support.people import PASSWORD, Caller, People
from tests.support.planting import ok
from tests.support.web import browser, check, new_page, screenshot, sign_in, tab_to

pytestmark = pytest.mark.e2e

SESSION = {
    "starts_at": "2027-02-09T14:00:00+01:00",
    "ends_at": "2027-02-09T17:00:00+01:00",
    "location": "Leercentrum Oost",
}


class School:
    """A new board with one school, an academy and its administrator, two teachers."""

    def __init__(self, endpoints: Endpoints, people: People) -> None:
        self.endpoints = endpoints
        self.board = str(uuid.uuid4())
        self.school = str(uuid.uuid4())
        self.board_admin = people.board_admin(self.board)
        made = ok(httpx.post(
            f"{endpoints.catalogue}/academies",
            json={"name": "Academie Oost", "board_id": self.board},
            headers=self.board_admin.headers,
        ))  # fmt: skip
        self.academy = str(made["academy_id"])
        self.admin = people.academy_admin(self.board, self.academy)
        self.me = people.staff(self.board, schools=[self.school], name="Iris Verbeek")
        self.colleague = people.staff(self.board, schools=[self.school], name="Ruben Smit")

    def publish(self, title: str, capacity: int) -> str:
        body = {
            "academy_id": self.academy, "title": title, "kind": "course", "study_hours": 6,
            "capacity": capacity, "domains": ["pedagogy"], "goal_tags": ["lezen"],
            "sessions": [SESSION],
        }  # fmt: skip
        made = ok(httpx.post(
            f"{self.endpoints.catalogue}/offerings", json=body, headers=self.admin.headers
        ))  # fmt: skip
        offering = str(made["offering_id"])
        known = f"{self.endpoints.enrollment}/offerings/{offering}"
        wait_for("enrollment to know the offering",
                 lambda: httpx.get(known, headers=self.admin.headers).is_success)  # fmt: skip
        return offering

    def enrol(self, who: Caller, offering: str) -> dict[str, Any]:
        body = {"offering_id": offering, "role": "teacher"}
        result: dict[str, Any] = ok(httpx.post(
            f"{self.endpoints.enrollment}/enrollments", json=body, headers=who.headers
        ))  # fmt: skip
        return result

    def enrollment_of(self, who: Caller, offering: str) -> dict[str, Any]:
        mine = ok(httpx.get(
            f"{self.endpoints.enrollment}/staff/{who.id}/enrollments", headers=who.headers
        ))  # fmt: skip
        found: dict[str, Any] = next(e for e in mine if e["offering_id"] == offering)
        return found

    def set_target(self, hours: float) -> None:
        por, by = self.endpoints.portfolio, self.board_admin.headers
        targets = {"hours_per_year": {"teacher": hours}}
        ok(httpx.put(f"{por}/boards/{self.board}/targets", json=targets, headers=by))
        profile = {"board_id": self.board, "role": "teacher", "sector": "po", "fte": 1.0,
                   "school_ids": [self.school]}  # fmt: skip
        ok(httpx.put(f"{por}/staff/{self.me.id}/profile", json=profile, headers=by))


def test_a_staff_member_waits_for_a_place_and_sees_the_completion_arrive(
    endpoints: Endpoints, people: People
) -> None:
    s = School(endpoints, people)
    s.set_target(40)
    title = f"Begrijpend lezen {uuid.uuid4().hex[:6]}"
    offering = s.publish(title, capacity=1)
    s.enrol(s.colleague, offering)  # the one seat is taken
    web = endpoints.web

    with browser() as b:
        page = new_page(b)
        sign_in(page, web, s.me.username, PASSWORD, "/aanbod")
        check(page)
        page.get_by_label("Zoek op woorden").fill(title.split()[-1])
        page.get_by_role("button", name="Zoeken").click()
        expect(page.get_by_role("link", name=title)).to_be_visible()
        check(page)
        screenshot(page, "medewerker-aanbod")
        page.get_by_role("link", name=title).click()
        expect(page.get_by_text("Vol: je komt op de wachtlijst")).to_be_visible()
        check(page)
        page.get_by_role("button", name="Op de wachtlijst zetten").click()
        expect(page.get_by_role("status")).to_contain_text("Je staat op de wachtlijst")
        check(page)
        screenshot(page, "medewerker-cursus")

        page.goto(f"{web}/inschrijvingen")
        expect(page.get_by_role("cell", name="Op de wachtlijst")).to_be_visible()
        check(page)

        portfolio = new_page(b)
        sign_in(portfolio, web, s.me.username, PASSWORD, "/portfolio")
        expect(portfolio.locator("#live-hint")).to_be_visible()  # the stream is open
        expect(portfolio.get_by_text("van je norm van 40 uur").first).to_be_visible()
        check(portfolio)

        # The colleague cancels: the place goes to the first in line.
        cancelled = s.enrollment_of(s.colleague, offering)["enrollment_id"]
        ok(httpx.post(f"{endpoints.enrollment}/enrollments/{cancelled}/cancel", json={},
                      headers=s.colleague.headers))  # fmt: skip
        mine = wait_for(
            "the place to be given", lambda: _if(s.enrollment_of(s.me, offering), "enrolled")
        )
        page.goto(f"{web}/inschrijvingen")
        expect(page.get_by_role("cell", name="Ingeschreven")).to_be_visible()
        screenshot(page, "medewerker-inschrijvingen")

        # The academy records the completion; the open page shows it without a reload.
        portfolio.evaluate("() => { window.notReloaded = true; }")  # a reload would lose it
        ok(httpx.post(f"{endpoints.enrollment}/enrollments/{mine['enrollment_id']}/complete",
                      json={}, headers=s.admin.headers))  # fmt: skip
        done = portfolio.locator(f'[data-entry][data-status="completed"]:has-text("{title}")')
        expect(done).to_be_visible(timeout=20_000)
        expect(portfolio.locator("#live-news")).to_have_text("Je portfolio is zojuist bijgewerkt.")
        assert portfolio.evaluate("() => window.notReloaded === true")
        expect(portfolio.get_by_text("6 uur van je norm van 40 uur").first).to_be_visible()
        check(portfolio)
        screenshot(portfolio, "medewerker-portfolio")


def test_a_journey_with_the_keyboard_alone(endpoints: Endpoints, people: People) -> None:
    """Find a course, open it and enrol, then add learning of one's own: no mouse."""
    s = School(endpoints, people)
    title = f"Rekendidactiek {uuid.uuid4().hex[:6]}"
    s.publish(title, capacity=5)
    with browser() as b:
        page = new_page(b, width=390, height=844)  # a phone's width
        sign_in(page, endpoints.web, s.me.username, PASSWORD, "/aanbod")
        tab_to(page, "#tekst")
        page.keyboard.type(title.split()[-1])
        page.keyboard.press("Enter")
        page.wait_for_url("**/aanbod?tekst=*")
        tab_to(page, f'a:has-text("{title}")')
        page.keyboard.press("Enter")
        page.wait_for_url("**/aanbod/*")
        tab_to(page, 'button:has-text("Inschrijven")')
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("Je bent ingeschreven")
        check(page)
        screenshot(page, "medewerker-telefoon")

        page.goto(f"{endpoints.web}/portfolio")
        tab_to(page, "#titel")
        page.keyboard.type("Congres jonge kind")
        tab_to(page, "#uren")
        page.keyboard.type("4,5")
        tab_to(page, "#datum")
        page.keyboard.type("01102026")
        tab_to(page, "#domein-pedagogy")
        page.keyboard.press("Space")
        tab_to(page, 'button:has-text("Toevoegen aan mijn portfolio")')
        page.keyboard.press("Enter")
        expect(page.get_by_role("status").first).to_contain_text("Je leeractiviteit staat")
        added = page.locator('[data-entry]:has-text("Congres jonge kind")')
        expect(added).to_contain_text("4,5 uur")
        check(page)


def test_pages_in_english(endpoints: Endpoints, people: People) -> None:
    s = School(endpoints, people)
    s.publish(f"Engels lezen {uuid.uuid4().hex[:6]}", capacity=3)
    with browser() as b:
        page = new_page(b)
        sign_in(page, endpoints.web, s.me.username, PASSWORD, "/")
        page.goto(f"{endpoints.web}/taal/en?next=/aanbod")
        for path in ("/aanbod", "/inschrijvingen", "/portfolio", "/pop", "/"):
            page.goto(f"{endpoints.web}{path}")
            assert page.locator("html").get_attribute("lang") == "en"
            check(page)
        menu = page.get_by_role("navigation", name="Main menu")
        expect(menu.get_by_role("link", name="My portfolio")).to_be_visible()


def _if(enrollment: dict[str, Any], status: str) -> dict[str, Any] | None:
    return enrollment if enrollment["status"] == status else None


def test_history_calendar_reflection_dossier_export_and_plan(
    endpoints: Endpoints, people: People
) -> None:
    s = School(endpoints, people)
    title = f"Taalontwikkeling {uuid.uuid4().hex[:6]}"
    s.enrol(s.me, s.publish(title, capacity=5))
    entry = {"title": "Boek over feedback", "kind": "reading", "hours": 3,
             "completed_on": "2026-10-05", "domains": ["pedagogy"]}  # fmt: skip
    ok(httpx.post(f"{endpoints.portfolio}/staff/{s.me.id}/entries", json=entry,
                  headers=s.me.headers))  # fmt: skip
    web = endpoints.web
    with browser() as b:
        page = new_page(b)
        sign_in(page, web, s.me.username, PASSWORD, "/inschrijvingen")
        page.get_by_role("link", name=f"Verloop {title}").click()
        expect(page.get_by_role("cell", name="Ingeschreven")).to_be_visible()
        check(page)

        page.goto(f"{web}/inschrijvingen")
        page.get_by_role("button", name="Agenda-adres maken").click()
        feed = page.get_by_label("Je agenda-adres (geheim)").input_value()
        check(page)
        calendar = httpx.get(feed)  # the secret address needs no sign-in
        assert calendar.status_code == 200 and title in calendar.text

        page.goto(f"{web}/portfolio")
        card = page.locator('[data-entry]:has-text("Boek over feedback")')
        card.get_by_text("Reflectie toevoegen").click()
        card.get_by_label("Je reflectie").fill("Ik geef nu vaker korte feedback.")
        card.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_text("Ik geef nu vaker korte feedback.")).to_be_visible()
        check(page)
        dossier = page.request.get(f"{web}/portfolio/bekwaamheidsdossier.pdf")
        assert dossier.ok and dossier.headers["content-type"] == "application/pdf"
        assert dossier.body().startswith(b"%PDF")
        export = page.request.get(f"{web}/portfolio/mijn-gegevens.zip")
        assert export.ok and export.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(export.body())) as bundle:
            assert "manifest.json" in bundle.namelist()
            assert "Ik geef nu vaker korte feedback." in bundle.read("portfolio.json").decode()

        page.goto(f"{web}/pop")
        page.locator("#titel-0").fill("Feedback in de klas")
        page.locator("#uren-0").fill("12")
        page.locator("#domein-0-pedagogy").check()
        page.get_by_role("button", name="POP opslaan").click()
        expect(page.get_by_role("status")).to_contain_text("Je POP is opgeslagen")
        expect(page.locator("#titel-0")).to_have_value("Feedback in de klas")
        expect(page.locator("#domein-0-pedagogy")).to_be_checked()
        check(page)
        screenshot(page, "medewerker-pop")
