"""The web application's sign-in and forms, in real Chromium against the real identity
provider: the session cookie's flags, a form posted without its CSRF token refused (and
nothing done), a page of someone else's records refused with a page that says why, and
after sign-out the session gone, here and in the database, its cookie useless."""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import httpx
import pytest
from playwright.sync_api import expect

from huisacademie.demo import Endpoints
from huisacademie.stack.databases import Databases
from tests.support.people import PASSWORD, People
from tests.support.planting import ok
from tests.support.web import browser, check, new_page, sign_in

pytestmark = pytest.mark.e2e

COOKIE = "__Host-huisacademie"


def sessions_of(databases: Databases, staff_id: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(databases.migration_url("web"))
        try:
            found: int = await conn.fetchval(
                "SELECT count(*) FROM sessions WHERE staff_id = $1", uuid.UUID(staff_id)
            )
            return found
        finally:
            await conn.close()

    # Playwright's sync API runs an event loop in this thread: ask from another.
    with ThreadPoolExecutor(1) as other:
        return other.submit(asyncio.run, count()).result()


def test_the_session_cookie_and_sign_out(
    endpoints: Endpoints, people: People, databases: Databases
) -> None:
    me = people.staff(name="Noor Jansen")
    with browser() as b:
        page = new_page(b)
        sign_in(page, endpoints.web, me.username, PASSWORD, "/")
        expect(page.get_by_role("heading", name="Welkom, Noor Jansen")).to_be_visible()
        check(page)
        cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
        assert (cookie["path"] == "/" and "domain" not in cookie) or cookie["domain"] == "127.0.0.1"
        assert sessions_of(databases, me.id) == 1

        page.get_by_role("button", name="Afmelden").click()
        page.wait_for_url(f"{endpoints.web}/afgemeld")
        expect(page.get_by_role("heading", name="Je bent afgemeld")).to_be_visible()
        check(page)
        assert sessions_of(databases, me.id) == 0
        assert COOKIE not in {c["name"] for c in page.context.cookies()}

        # The old cookie, kept by someone, opens nothing: off to sign in.
        stolen = new_page(b)
        stolen.context.add_cookies([{
            "name": cookie["name"], "value": cookie["value"], "domain": cookie["domain"],
            "path": "/", "secure": True, "httpOnly": True, "sameSite": "Lax",
        }])  # fmt: skip
        answer = stolen.request.get(f"{endpoints.web}/portfolio", max_redirects=0)
        assert answer.status == 303
        assert answer.headers["location"].startswith("/aanmelden")

        # The identity provider's sign-in ended too: it asks for the password again.
        page.goto(f"{endpoints.web}/portfolio")
        expect(page.locator("#password")).to_be_visible()


def test_a_sign_in_is_finished_only_in_the_browser_that_began_it(
    endpoints: Endpoints, people: People
) -> None:
    """A callback that comes back to a browser without the cookie its sign-in began with
    signs no one in: someone who begins a sign-in of their own and sends the callback to a
    colleague does not sign the colleague in as themself (login CSRF)."""
    attacker = people.staff()
    with browser() as b:
        page = new_page(b)
        began = page.request.get(f"{endpoints.web}/aanmelden", max_redirects=0)
        assert began.status == 303
        page.context.clear_cookies()  # the callback reaches a browser without the cookie
        page.goto(began.headers["location"])
        page.fill("#username", attacker.username)
        page.fill("#password", PASSWORD)
        with page.expect_response("**/auth/callback*") as callback:
            page.click("#kc-login")
        assert callback.value.status == 400
        expect(page.get_by_role("alert")).to_contain_text("Aanmelden is niet gelukt")
        assert COOKIE not in {c["name"] for c in page.context.cookies()}
        check(page)


def test_a_form_without_its_csrf_token_is_refused(endpoints: Endpoints, people: People) -> None:
    me = people.staff()
    with browser() as b:
        page = new_page(b)
        sign_in(page, endpoints.web, me.username, PASSWORD, "/portfolio")
        form: dict[str, str | float | bool] = {
            "titel": "Zonder token", "soort": "study", "uren": "2", "datum": "2026-10-01"
        }  # fmt: skip
        refused = page.request.post(f"{endpoints.web}/portfolio/activiteiten", form=form)
        assert refused.status == 403
        assert "Dit formulier is verlopen" in refused.text()
        wrong = page.request.post(
            f"{endpoints.web}/portfolio/activiteiten", form={**form, "csrf": "geraden"}
        )
        assert wrong.status == 403
        # With the page's own token it goes through: the refusals were for the token alone.
        token = page.locator('input[name="csrf"]').first.get_attribute("value")
        assert token
        done = page.request.post(
            f"{endpoints.web}/portfolio/activiteiten", form={**form, "csrf": token}
        )
        assert done.ok
    dossier = ok(httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio", headers=me.headers))
    assert [e["title"] for e in dossier["entries"]] == ["Zonder token"]


def test_someone_elses_records_are_refused_with_a_page_that_says_why(
    endpoints: Endpoints, people: People
) -> None:
    board, school = str(uuid.uuid4()), str(uuid.uuid4())
    me = people.staff(board, schools=[school])
    colleague = people.staff(board, schools=[school])
    elsewhere_leader = people.leader(board, str(uuid.uuid4()))
    with browser() as b:
        page = new_page(b)
        sign_in(page, endpoints.web, me.username, PASSWORD, "/")
        # A staff member has no leader's page of a colleague's portfolio.
        seen = page.goto(f"{endpoints.web}/school/medewerkers/{colleague.id}")
        assert seen is not None and seen.status == 403
        expect(page.get_by_role("alert")).to_contain_text("Dit mag je niet met je huidige rol")
        check(page)
        for path in ("/academie", "/bestuur", "/goedkeuringen"):
            refused = page.goto(f"{endpoints.web}{path}")
            assert refused is not None and refused.status == 403, path
        # A made-up address, or a filter that is no date: a page that says so, never a 500.
        made_up = page.goto(f"{endpoints.web}/aanbod/geen-aanbod")
        assert made_up is not None and made_up.status == 404
        expect(page.get_by_role("alert")).to_contain_text("Niet gevonden")
        bad_filter = page.goto(f"{endpoints.web}/aanbod?vanaf=morgen")
        assert bad_filter is not None and bad_filter.status == 422
        expect(page.get_by_role("alert")).to_contain_text("starts_from")

        leader = new_page(b)
        sign_in(leader, endpoints.web, elsewhere_leader.username, PASSWORD, "/")
        # A leader of another school: the portfolio's policy refuses, as for any client.
        other = leader.goto(f"{endpoints.web}/school/medewerkers/{colleague.id}")
        assert other is not None and other.status in (403, 404)
        expect(leader.get_by_role("alert")).to_be_visible()
        assert colleague.username not in leader.content()
        check(leader)
