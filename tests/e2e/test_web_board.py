"""The board administrator's pages in real headless Chromium: a board administrator sets
the teacher's yearly target that the staff member then sees in their portfolio, looks up a
staff member's profile, and plans a peer audit with a team from another school; a staff
member who opens a board page is told why not."""

from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Page, expect

from huisacademie.demo import Endpoints
from services.shared.clock import dutch_today
from services.shared.identity.access import Role
from tests.support.people import PASSWORD, Caller, People
from tests.support.web import browser, check, new_page, screenshot, sign_in

pytestmark = pytest.mark.e2e
PAGES = ("/bestuur", "/bestuur/normen", "/bestuur/medewerkers", "/bestuur/audits")


def set_profile(endpoints: Endpoints, admin: Caller, staff: Caller, school: str) -> None:
    body = {"board_id": admin.board, "role": "teacher", "sector": "po", "fte": 0.8,
            "school_ids": [school]}  # fmt: skip
    response = httpx.put(
        f"{endpoints.portfolio}/staff/{staff.id}/profile", json=body, headers=admin.headers
    )
    assert response.is_success, response.text


def sets_the_teacher_target(page: Page, web: str) -> None:
    page.goto(f"{web}/bestuur/normen")
    check(page)
    page.get_by_label("Leraar", exact=True).fill("60")
    page.get_by_role("button", name="Normen opslaan").click()
    expect(page.get_by_role("status")).to_have_text("De nascholingsnormen zijn opgeslagen.")
    expect(page.get_by_label("Leraar", exact=True)).to_have_value("60")
    expect(page.get_by_role("row", name="Leraar")).to_contain_text(
        "60 uur, vastgesteld door het bestuur"
    )
    check(page)
    screenshot(page, "bestuur-normen")


def plans_an_audit(page: Page, web: str, teacher: Caller, auditor: Caller, school: str) -> None:
    page.goto(f"{web}/bestuur/audits")
    audited = page.get_by_role("row", name="School van Femke Visser")
    expect(audited).to_contain_text("Nu aan de beurt")
    check(page)
    day = (dutch_today() + timedelta(days=30)).isoformat()
    page.get_by_label("School die wordt geaudit").select_option(school)
    page.get_by_label("Thema").fill("Feedback in de klas")
    page.get_by_label("Datum", exact=True).fill(day)
    # Someone of the audited school alone cannot audit it: the form says so and who.
    page.get_by_label("Voorzitter van het auditteam").select_option(teacher.id)
    page.get_by_role("button", name="Audit plannen").click()
    expect(page.get_by_role("alert")).to_contain_text("Tessa Smit werkt alleen op de school")
    check(page)
    page.get_by_label("Voorzitter van het auditteam").select_option(auditor.id)
    page.get_by_role("button", name="Audit plannen").click()
    expect(page.get_by_role("status")).to_have_text("De audit is gepland.")
    planned = page.get_by_role("listitem").filter(has_text="Feedback in de klas")
    expect(planned).to_contain_text("Daan Bos (voorzitter)")
    expect(planned).to_contain_text("School van Femke Visser")
    expect(audited).to_contain_text("Ingepland")
    check(page)
    screenshot(page, "bestuur-audits")
    later = (dutch_today() + timedelta(days=44)).isoformat()
    planned.get_by_label("Nieuwe datum").fill(later)
    planned.get_by_role("button", name='Audit "Feedback in de klas" verplaatsen').click()
    expect(page.get_by_role("status")).to_have_text("De audit is verplaatst.")
    expect(page.get_by_role("listitem").filter(has_text="Feedback in de klas")).to_contain_text(
        "verplaatst van"
    )


def test_a_board_sets_a_target_the_teacher_sees_and_plans_an_audit(
    endpoints: Endpoints, people: People
) -> None:
    board, school, other_school = str(uuid4()), str(uuid4()), str(uuid4())
    admin = people.person(Role.BOARD_ADMIN, board=board, name="Sanne de Wit")
    teacher = people.staff(board, schools=[school], name="Tessa Smit")
    people.leader(board, school, name="Femke Visser")
    auditor = people.staff(board, schools=[other_school], name="Daan Bos")
    set_profile(endpoints, admin, teacher, school)
    web = endpoints.web

    with browser() as b:
        page = new_page(b)
        sign_in(page, web, admin.username, PASSWORD, "/bestuur")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bestuur")
        expect(page.get_by_role("row", name="School van Femke Visser")).to_contain_text("2")
        check(page)

        sets_the_teacher_target(page, web)
        portfolio = httpx.get(
            f"{endpoints.portfolio}/staff/{teacher.id}/portfolio", headers=teacher.headers
        ).json()
        assert portfolio["target_hours_per_year"] == 48.0  # 60 hours at 0.8 FTE

        page.goto(f"{web}/bestuur/medewerkers")
        check(page)
        page.get_by_role("link", name="Tessa Smit").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tessa Smit")
        expect(page.get_by_label("Functie", exact=True)).to_have_value("teacher")
        expect(page.locator("dl.facts")).to_contain_text("48 uur per schooljaar")
        check(page)

        plans_an_audit(page, web, teacher, auditor, school)
        fits_a_phone_and_speaks_english(page, web)


def fits_a_phone_and_speaks_english(page: Page, web: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    for path in PAGES:
        page.goto(f"{web}{path}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 375, f"{path} is {wide} px wide at a phone's 375"
    page.goto(f"{web}/taal/en?next=/bestuur")
    for path in PAGES:
        page.goto(f"{web}{path}")
        check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer audits")


def test_a_staff_member_is_told_the_board_pages_are_not_theirs(
    endpoints: Endpoints, people: People
) -> None:
    staff = people.staff(str(uuid4()), schools=[str(uuid4())])
    with browser() as b:
        page = new_page(b)
        sign_in(page, endpoints.web, staff.username, PASSWORD)
        refused = page.goto(f"{endpoints.web}/bestuur/normen")
        assert refused is not None and refused.status == 403
        expect(page.get_by_role("alert")).to_contain_text("bestuursbeheerder")
        expect(page.get_by_label("Leraar")).to_have_count(0)
        check(page)
