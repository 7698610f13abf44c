"""The school leader's journey in real headless Chromium: a request of their staff waits in
the approvals inbox and is approved there; a team member is enrolled, seats are reserved
and filled; the school overview, a staff member's dossier with a leader note, the school's
audits; and a staff member of another school is refused. Also the enrollment route the
inbox reads: the requests of a school's staff, for its leader only."""

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Page, expect

from huisacademie.demo import Endpoints, wait_for
from services.shared.clock import dutch_today
from services.shared.identity.access import Role
from tests.support.people import PASSWORD, Caller, People
from tests.support.planting import offering_needing_approval
from tests.support.web import browser, check, new_page, screenshot, sign_in

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.url}: {response.status_code} {response.text}"
    return response.json()


@dataclass(frozen=True)
class School:
    """A school of a new board with its leader and three staff, and an offering of the
    board's academy that needs the leader's approval."""

    board: str
    school: str
    leader: Caller
    iris: Caller
    tom: Caller
    sara: Caller
    offering: str

    @classmethod
    def of(cls, people: People, endpoints: Endpoints) -> "School":
        board, school = str(uuid4()), str(uuid4())
        offering = offering_needing_approval(endpoints, people, board)
        return cls(
            board, school, people.leader(board, school, name="Femke van Dijk"),
            people.staff(board, schools=[school], name="Iris Jansen"),
            people.staff(board, schools=[school], name="Tom de Wit"),
            people.staff(board, schools=[school], name="Sara Bakker"),
            offering,
        )  # fmt: skip

    def with_records(self, people: People, endpoints: Endpoints) -> None:
        """A target and profiles (Iris short of it, Tom past it), and a completed peer
        audit of the school with a point to improve."""
        admin = people.board_admin(self.board)
        por = endpoints.portfolio
        targets = {"hours_per_year": {"teacher": 40}}
        ok(httpx.put(f"{por}/boards/{self.board}/targets", json=targets, headers=admin.headers))
        for who, hours in ((self.iris, 12), (self.tom, 41), (self.sara, 0)):
            profile = {"board_id": self.board, "role": "teacher", "sector": "po", "fte": 1.0,
                       "school_ids": [self.school]}  # fmt: skip
            ok(httpx.put(f"{por}/staff/{who.id}/profile", json=profile, headers=admin.headers))
            if hours:
                entry = {"title": "Studiedag lezen", "kind": "study", "hours": hours,
                         "completed_on": dutch_today().isoformat(),
                         "domains": ["subject_didactics"], "goal_tags": ["lezen"]}  # fmt: skip
                ok(httpx.post(f"{por}/staff/{who.id}/entries", json=entry, headers=who.headers))
        _audit(people, endpoints, self, admin)

    def request(self, endpoints: Endpoints, who: Caller) -> str:
        """`who` asks for a place: the request awaits the leader's approval."""
        asked = ok(
            httpx.post(
                f"{endpoints.enrollment}/enrollments",
                json={"role": "teacher", "offering_id": self.offering},
                headers=who.headers,
            )
        )
        assert asked["status"] == "requested", asked
        return str(asked["enrollment_id"])


def _audit(people: People, endpoints: Endpoints, s: School, admin: Caller) -> None:
    elsewhere = str(uuid4())
    auditor = people.person(Role.AUDITOR, board=s.board, schools=[elsewhere], name="Daan Visser")
    team = [{"staff_id": auditor.id, "school_id": elsewhere, "role": "lead"}]
    audit = ok(
        httpx.post(
            f"{endpoints.catalogue}/audits",
            json={"school_id": s.school, "board_id": s.board, "theme": "Lezen",
                  "audit_date": dutch_today().isoformat(), "team": team},
            headers=admin.headers,
        )
    )  # fmt: skip
    findings = {"strengths": ["Rust in de klas"], "improvements": ["Feedback op schrijfwerk"]}
    ok(
        httpx.post(
            f"{endpoints.catalogue}/audits/{audit['audit_id']}/complete",
            json={"findings": findings},
            headers=auditor.headers,
        )
    )
    audits = f"{endpoints.portfolio}/schools/{s.school}/audits"
    wait_for(
        "the portfolio to know the completed audit",
        lambda: [a for a in ok(httpx.get(audits, headers=s.leader.headers))["audits"]
                 if a["status"] == "completed"],
    )  # fmt: skip


def test_a_school_leader_reads_the_requests_of_their_schools_staff(
    people: People, endpoints: Endpoints
) -> None:
    s = School.of(people, endpoints)
    asked = s.request(endpoints, s.iris)
    url = f"{endpoints.enrollment}/schools/{s.school}/enrollments"

    inbox = ok(httpx.get(url, params={"status": "requested"}, headers=s.leader.headers))
    assert [e["enrollment_id"] for e in inbox] == [asked]
    assert inbox[0]["staff_id"] == s.iris.id
    assert ok(httpx.get(url, params={"status": "enrolled"}, headers=s.leader.headers)) == []
    board_admin = people.board_admin(s.board)
    assert [e["enrollment_id"] for e in ok(httpx.get(url, headers=board_admin.headers))] == [asked]

    next_door = people.leader(s.board, str(uuid4()))
    assert httpx.get(url, headers=next_door.headers).status_code == 404
    assert httpx.get(url, headers=people.board_admin(str(uuid4())).headers).status_code == 404
    assert httpx.get(url, headers=s.tom.headers).status_code == 403


def test_a_school_leader_approves_a_request_and_enrols_a_team(
    people: People, endpoints: Endpoints
) -> None:
    s = School.of(people, endpoints)
    s.with_records(people, endpoints)
    asked = s.request(endpoints, s.iris)
    web = endpoints.web
    with browser() as b:
        page = new_page(b)
        sign_in(page, web, s.leader.username, PASSWORD, "/goedkeuringen")

        request = page.locator("li.card", has_text="Iris Jansen")
        expect(request).to_contain_text("Rekenen")
        check(page)
        screenshot(page, "leider-goedkeuringen")
        request.get_by_role("button", name="Goedkeuren").click()
        page.wait_for_url(f"{web}/goedkeuringen?gedaan=*")
        expect(page.get_by_role("status")).to_contain_text("Goedgekeurd")
        expect(page.locator("li.card", has_text="Iris Jansen")).to_have_count(0)
        expect(page.get_by_text("Er wachten geen aanvragen")).to_be_visible()
        check(page)
        enrollment = f"{endpoints.enrollment}/enrollments/{asked}"
        assert ok(httpx.get(enrollment, headers=s.leader.headers))["status"] == "enrolled"

        _enrol_a_team(page, web, s)
        assert _status(endpoints, s, s.tom) == "enrolled"
        _reserve_and_fill(page, web, s)
        assert _status(endpoints, s, s.sara) == "enrolled"
        _school(page, web, s)
        _note(page, web, endpoints, s)

        _follow_up(page, web, endpoints, s)


def _status(endpoints: Endpoints, s: School, who: Caller) -> str:
    found = ok(
        httpx.get(f"{endpoints.enrollment}/staff/{who.id}/enrollments", headers=s.leader.headers)
    )
    return str(next(e["status"] for e in found if e["offering_id"] == s.offering))


def _enrol_a_team(page: Page, web: str, s: School) -> None:
    page.goto(f"{web}/team")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team inschrijven")
    check(page)
    page.goto(f"{web}/team?aanbod={s.offering}")
    expect(page.get_by_role("row", name="Iris Jansen")).to_contain_text("Ingeschreven")
    page.get_by_label("Tom de Wit").check()
    page.get_by_role("button", name="Inschrijven", exact=True).click()
    page.wait_for_url(f"{web}/team?aanbod={s.offering}&gedaan=*")
    expect(page.get_by_role("row", name="Tom de Wit")).to_contain_text("Ingeschreven")
    expect(page.get_by_label("Sara Bakker")).not_to_be_checked()
    check(page)
    screenshot(page, "leider-team")


def _reserve_and_fill(page: Page, web: str, s: School) -> None:
    page.get_by_label("Aantal plaatsen").fill("1")
    page.get_by_role("button", name="Plaatsen reserveren").click()
    page.wait_for_url(f"{web}/team/reserveringen/*")
    expect(page.get_by_role("status")).to_contain_text("Plaatsen gereserveerd")
    check(page)
    page.get_by_label("Sara Bakker").check()
    page.get_by_role("button", name="Namen invullen").click()
    page.wait_for_url(f"{web}/team/reserveringen/*?gedaan=*")
    expect(page.locator("main")).to_contain_text("Sara Bakker: Ingeschreven")
    check(page)


def _school(page: Page, web: str, s: School) -> None:
    page.goto(f"{web}/school")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn school")
    for name, who in (("Iris Jansen", s.iris), ("Tom de Wit", s.tom), ("Sara Bakker", s.sara)):
        link = page.get_by_role("link", name=name).first
        expect(link).to_have_attribute("href", f"/school/medewerkers/{who.id}")
    expect(page.get_by_role("row", name="Iris Jansen")).to_contain_text("nog 28 uur te gaan")
    expect(page.get_by_role("row", name="Tom de Wit")).to_contain_text("norm gehaald")
    expect(page.get_by_role("row", name="Vakdidactisch bekwaam")).to_contain_text("53 uur")
    check(page)
    screenshot(page, "leider-school")


def _note(page: Page, web: str, endpoints: Endpoints, s: School) -> None:
    """A note on the entry the approved enrollment made in Iris's dossier."""
    dossier = f"{endpoints.portfolio}/staff/{s.iris.id}/portfolio"
    wait_for(
        "the enrollment in Iris's portfolio",
        lambda: [e for e in ok(httpx.get(dossier, headers=s.leader.headers))["entries"]
                 if e["offering_id"] == s.offering],
    )  # fmt: skip
    page.goto(f"{web}/school/medewerkers/{s.iris.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Iris Jansen")
    check(page)
    entry = page.locator("li.card", has_text="Rekenen")
    entry.get_by_label("Notitie bij deze activiteit").fill("Mooi dat je hieraan meedoet.")
    entry.get_by_role("button", name="Notitie toevoegen").click()
    page.wait_for_url(f"{web}/school/medewerkers/{s.iris.id}?gedaan=*")
    expect(page.locator("li.card", has_text="Rekenen")).to_contain_text(
        "Femke van Dijk: Mooi dat je hieraan meedoet."
    )
    check(page)


def _follow_up(page: Page, web: str, endpoints: Endpoints, s: School) -> None:
    page.goto(f"{web}/school/audits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits van mijn school")
    expect(page.locator("main")).to_contain_text("Daan Visser (voorzitter)")
    check(page)
    page.get_by_label("Wat heeft de school gedaan?").fill("Feedbackrondes in elke bouw.")
    page.get_by_label("Dit verbeterpunt is afgehandeld").check()
    page.get_by_role("button", name="Opvolging vastleggen").click()
    page.wait_for_url(f"{web}/school/audits?school={s.school}&gedaan=*")
    expect(page.locator("li.card")).to_contain_text("Femke van Dijk: Feedbackrondes in elke bouw.")
    check(page)
    audits = ok(
        httpx.get(f"{endpoints.portfolio}/schools/{s.school}/audits", headers=s.leader.headers)
    )
    assert audits["audits"][0]["points"][0]["closed"] is True


def test_a_school_leader_is_refused_the_dossier_of_another_schools_staff(
    people: People, endpoints: Endpoints
) -> None:
    s = School.of(people, endpoints)
    elsewhere = people.staff(s.board, schools=[str(uuid4())], name="Bas Elders")
    with browser() as b:
        page = new_page(b)
        sign_in(page, endpoints.web, s.leader.username, PASSWORD, "/school")
        for path in (f"/school/medewerkers/{elsewhere.id}", "/school/medewerkers/not-an-id"):
            response = page.goto(f"{endpoints.web}{path}")
            assert response is not None and response.status in (403, 404), path
            expect(page.get_by_role("heading", level=1)).to_have_text("Dat ging niet")
            expect(page.locator("main")).not_to_contain_text("Bas Elders")
            check(page)
