"""The dossier a teacher and a school leader open: learning outside the academies with
evidence and reflections, a leader's note, the portfolio as it stood on a date, and the
web page whose numbers match the JSON. Each request is made by whom it would be in real
life: the staff member keeps their dossier, their school leader notes and looks on, the
board's administrator sets profiles and targets, the academy completes."""

import base64
import io
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from huisacademie.demo import Endpoints, wait_for
from services.portfolio.domain.hours import school_year
from services.shared.clock import dutch_today
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def add_entry(endpoints: Endpoints, me: Caller, **fields: Any) -> dict[str, Any]:
    """Learning outside the academies, added by the staff member themself."""
    body = {
        "title": "NRO conference on reading",
        "kind": "conference",
        "provider": "NRO",
        "hours": 5,
        "completed_on": "2026-10-02",
        "domains": ["subject_didactics"],
        **fields,
    }
    entry: dict[str, Any] = ok(
        httpx.post(f"{endpoints.portfolio}/staff/{me.id}/entries", json=body, headers=me.headers)
    )
    return entry


def test_staff_add_learning_with_evidence_and_reflections(
    endpoints: Endpoints, people: People
) -> None:
    board, school = str(uuid.uuid4()), str(uuid.uuid4())
    me = people.staff(board, schools=[school])
    leader = people.leader(board, school)
    entry = add_entry(endpoints, me)
    assert (entry["source"], entry["status"], entry["hours"]) == ("staff", "completed", 5.0)
    url = f"{endpoints.portfolio}/staff/{me.id}/entries/{entry['entry_id']}"
    ok(
        httpx.post(
            f"{url}/evidence",
            json={"link": "https://example.org/certificate/42"},
            headers=me.headers,
        )
    )
    content = b"%PDF-1.4 certificate"
    with_file = ok(
        httpx.post(
            f"{url}/evidence",
            json={
                "file": {
                    "name": "certificaat.pdf",
                    "media_type": "application/pdf",
                    "content_base64": base64.b64encode(content).decode(),
                }
            },
            headers=me.headers,
        )
    )
    ok(
        httpx.post(
            f"{url}/reflections",
            json={"text": "I now read aloud daily with group 4."},
            headers=me.headers,
        )
    )
    # The note is the school leader's, with their token; it may not be signed as someone
    # else (before sign-in any leader_id was taken as given).
    note = {"text": "Share this in the team."}
    posing = httpx.post(
        f"{url}/notes", json={**note, "leader_id": str(uuid.uuid4())}, headers=leader.headers
    )
    assert posing.status_code == 403, posing.text
    noted = ok(httpx.post(f"{url}/notes", json=note, headers=leader.headers))
    assert [e.get("link") for e in noted["evidence"]] == [
        "https://example.org/certificate/42",
        None,
    ]
    assert [r["text"] for r in noted["reflections"]] == ["I now read aloud daily with group 4."]
    assert [n["text"] for n in noted["notes"]] == ["Share this in the team."]
    assert [n["leader_id"] for n in noted["notes"]] == [leader.id]
    file_id = with_file["evidence"][1]["evidence_id"]
    download = httpx.get(f"{endpoints.portfolio}/evidence/{file_id}", headers=me.headers)
    assert (download.status_code, download.content) == (200, content)
    assert download.headers["content-type"] == "application/pdf"
    portfolio = ok(httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio", headers=me.headers))
    assert portfolio["total_hours"] == 5.0
    assert portfolio["entries"][0]["reflections"][0]["text"].startswith("I now read aloud")
    # The dossier and its files are the staff member's and their school leader's alone.
    assert (
        ok(httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio", headers=leader.headers))
        == portfolio
    )
    by_leader = httpx.get(f"{endpoints.portfolio}/evidence/{file_id}", headers=leader.headers)
    assert (by_leader.status_code, by_leader.content) == (200, content)
    colleague = people.staff(board, schools=[school])
    for path in (f"/evidence/{file_id}", f"/staff/{me.id}/portfolio"):
        assert (
            httpx.get(f"{endpoints.portfolio}{path}", headers=colleague.headers).status_code == 404
        )
        assert httpx.get(f"{endpoints.portfolio}{path}").status_code == 401


def test_bad_evidence_and_unknown_entries_are_refused(endpoints: Endpoints, people: People) -> None:
    me = people.staff()
    entry = add_entry(endpoints, me)
    url = f"{endpoints.portfolio}/staff/{me.id}/entries/{entry['entry_id']}"
    assert httpx.post(f"{url}/evidence", json={}, headers=me.headers).status_code == 422
    assert (
        httpx.post(
            f"{url}/evidence",
            json={"file": {"name": "x", "media_type": "text/plain", "content_base64": "%%%"}},
            headers=me.headers,
        ).status_code
        == 422
    )
    # Another staff member, in their own dossier, does not find this entry.
    someone = people.staff()
    other = f"{endpoints.portfolio}/staff/{someone.id}/entries/{entry['entry_id']}/reflections"
    assert httpx.post(other, json={"text": "not mine"}, headers=someone.headers).status_code == 404
    # Nor may the owner write into someone else's dossier: as if it did not exist.
    assert httpx.post(other, json={"text": "not mine"}, headers=me.headers).status_code == 404


def test_the_portfolio_as_it_stood_on_a_date(endpoints: Endpoints, people: People) -> None:
    me = people.staff()
    add_entry(endpoints, me, hours=2)
    yesterday = (dutch_today() - timedelta(days=1)).isoformat()
    url = f"{endpoints.portfolio}/staff/{me.id}/portfolio"
    then = ok(httpx.get(url, params={"as_of": yesterday}, headers=me.headers))
    now = ok(httpx.get(url, params={"as_of": dutch_today().isoformat()}, headers=me.headers))
    assert (then["total_hours"], then["entries"]) == (0, [])
    assert now["total_hours"] == 2.0
    assert now == ok(httpx.get(url, headers=me.headers))


def test_the_page_shows_the_chart_and_the_numbers_of_the_json(
    endpoints: Endpoints, people: People
) -> None:
    me = people.staff()
    add_entry(endpoints, me, hours=3, completed_on="2026-07-31", domains=["pedagogy"])
    add_entry(endpoints, me, hours=4.5, completed_on="2026-08-01", title="Study <b>day</b>")
    portfolio = ok(httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio", headers=me.headers))
    response = httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio.html", headers=me.headers)
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<svg id="hours-chart"' in page
    totals = re.findall(r'data-series="total" data-hours="([0-9.]+)"', page)
    assert (
        [float(t) for t in totals] == [y["hours"] for y in portfolio["school_years"]] == [4.5, 3.0]
    )
    assert f'<strong id="total-hours">{portfolio["total_hours"]}</strong>' in page
    assert "Study &lt;b&gt;day&lt;/b&gt;" in page and "<b>day</b>" not in page


def test_a_completion_through_the_academy_reaches_the_dossier_with_its_reason(
    endpoints: Endpoints, people: People
) -> None:
    board = str(uuid.uuid4())
    board_admin = people.board_admin(board)
    academy = ok(
        httpx.post(
            f"{endpoints.catalogue}/academies",
            json={"name": "Academie West", "board_id": board},
            headers=board_admin.headers,
        )
    )
    academy_admin = people.academy_admin(board, academy["academy_id"])
    offering = ok(
        httpx.post(
            f"{endpoints.catalogue}/offerings",
            json={
                "academy_id": academy["academy_id"],
                "title": "Coaching",
                "kind": "coaching",
                "study_hours": 6,
                "sessions": [
                    {
                        "starts_at": "2027-02-01T09:00:00+01:00",
                        "ends_at": "2027-02-01T10:00:00+01:00",
                    }
                ],
            },
            headers=academy_admin.headers,
        )
    )
    wait_for(
        "enrollment",
        lambda: (
            httpx.get(
                f"{endpoints.enrollment}/offerings/{offering['offering_id']}",
                headers=academy_admin.headers,
            ).is_success
        ),
    )
    me = people.staff(board)
    # The staff member enrols themself: staff_id and board_id come from the token.
    made = ok(
        httpx.post(
            f"{endpoints.enrollment}/enrollments",
            json={"role": "teacher", "offering_id": offering["offering_id"]},
            headers=me.headers,
        )
    )
    assert made["staff_id"] == me.id
    ok(
        httpx.post(
            f"{endpoints.enrollment}/enrollments/{made['enrollment_id']}/complete",
            json={"reason": "coach confirmed"},
            headers=academy_admin.headers,
        )
    )

    def completed() -> dict[str, Any] | None:
        body: dict[str, Any] = ok(
            httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio", headers=me.headers)
        )
        return body if body["entries"] and body["entries"][0]["status"] == "completed" else None

    entry = wait_for("the portfolio", completed)["entries"][0]
    assert (entry["hours"], entry["detail"]["reason"]) == (6.0, "coach confirmed")


def test_the_pdf_dossier_matches_the_ledger(endpoints: Endpoints, people: People) -> None:
    me = people.staff()
    add_entry(endpoints, me, hours=3, completed_on="2026-07-31")
    add_entry(endpoints, me, hours=4.5, completed_on="2026-08-01")
    portfolio = ok(httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio", headers=me.headers))
    response = httpx.get(f"{endpoints.portfolio}/staff/{me.id}/portfolio.pdf", headers=me.headers)
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    years = [(y["school_year"], y["hours"]) for y in portfolio["school_years"]]
    assert (portfolio["total_hours"], years) == (7.5, [("2026-2027", 4.5), ("2025-2026", 3.0)])
    assert "Total: 7.5 hours" in text
    for year, hours in years:
        assert f"School year {year}: {hours} hours" in text


def test_the_yearly_target_follows_the_profile_and_the_board(
    endpoints: Endpoints, people: People
) -> None:
    board = str(uuid.uuid4())
    me, admin = people.staff(board), people.board_admin(board)
    this_year = dutch_today().isoformat()
    add_entry(endpoints, me, hours=20, completed_on=this_year)
    url = f"{endpoints.portfolio}/staff/{me.id}/portfolio"
    assert ok(httpx.get(url, headers=me.headers))["target_hours_per_year"] is None
    profile = {"board_id": board, "role": "teacher", "sector": "vo", "fte": 0.5}
    profile_url = f"{endpoints.portfolio}/staff/{me.id}/profile"
    # The board's administrator sets the profile, not the staff member.
    assert httpx.put(profile_url, json=profile, headers=me.headers).status_code == 403
    ok(httpx.put(profile_url, json=profile, headers=admin.headers))
    mine = ok(httpx.get(url, headers=me.headers))
    assert mine["target_hours_per_year"] == 41.5
    assert (mine["school_years"][0]["target"], mine["school_years"][0]["remaining"]) == (41.5, 21.5)
    ok(
        httpx.put(
            f"{endpoints.portfolio}/boards/{board}/targets",
            json={"hours_per_year": {"teacher": 100}},
            headers=admin.headers,
        )
    )
    assert ok(httpx.get(url, headers=me.headers))["target_hours_per_year"] == 50.0
    assert ok(httpx.get(url, headers=me.headers))["four_years"]["hours"] == 20.0
    bad = httpx.put(profile_url, json={**profile, "fte": 0}, headers=admin.headers)
    assert bad.status_code == 422


def test_a_plan_shows_progress_and_the_school_leader_sees_the_school(
    endpoints: Endpoints, people: People
) -> None:
    board, school = str(uuid.uuid4()), str(uuid.uuid4())
    me = people.staff(board, schools=[school])
    leader, admin = people.leader(board, school), people.board_admin(board)
    add_entry(endpoints, me, hours=6, completed_on=dutch_today().isoformat(), goal_tags=["reading"])
    year = school_year(dutch_today())
    goals = {
        "goals": [{"title": "Better reading lessons", "goal_tags": ["reading"], "target_hours": 10}]
    }
    plan_url = f"{endpoints.portfolio}/staff/{me.id}/plans/{year}"
    ok(httpx.put(plan_url, json=goals, headers=me.headers))
    [goal] = ok(httpx.get(plan_url, headers=me.headers))["goals"]
    assert (goal["hours"], goal["reached"]) == (6.0, False)
    assert ok(httpx.get(plan_url, headers=leader.headers))["goals"] == [goal]
    profile = {
        "board_id": board,
        "role": "teacher",
        "sector": "po",
        "fte": 1.0,
        "school_ids": [school],
        "team": "groep 3-4",
    }
    ok(
        httpx.put(
            f"{endpoints.portfolio}/staff/{me.id}/profile", json=profile, headers=admin.headers
        )
    )
    view = ok(httpx.get(f"{endpoints.portfolio}/schools/{school}/overview", headers=leader.headers))
    assert (view["staff"], view["active_share"], view["by_team"]) == (1, 1.0, {"groep 3-4": 6.0})
    assert [(s["hours"], s["target"]) for s in view["short_of_target"]] == [(6.0, 80.0)]
