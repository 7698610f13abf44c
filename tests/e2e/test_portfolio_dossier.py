"""The dossier a teacher and a school leader open: learning outside the academies with
evidence and reflections, a leader's note, the portfolio as it stood on a date, and the
web page whose numbers match the JSON."""

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

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def add_entry(endpoints: Endpoints, staff_id: str, **fields: Any) -> dict[str, Any]:
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
        httpx.post(f"{endpoints.portfolio}/staff/{staff_id}/entries", json=body)
    )
    return entry


def test_staff_add_learning_with_evidence_and_reflections(endpoints: Endpoints) -> None:
    staff_id = str(uuid.uuid4())
    entry = add_entry(endpoints, staff_id)
    assert (entry["source"], entry["status"], entry["hours"]) == ("staff", "completed", 5.0)
    url = f"{endpoints.portfolio}/staff/{staff_id}/entries/{entry['entry_id']}"
    ok(httpx.post(f"{url}/evidence", json={"link": "https://example.org/certificate/42"}))
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
        )
    )
    ok(httpx.post(f"{url}/reflections", json={"text": "I now read aloud daily with group 4."}))
    noted = ok(
        httpx.post(
            f"{url}/notes", json={"leader_id": str(uuid.uuid4()), "text": "Share this in the team."}
        )
    )
    assert [e.get("link") for e in noted["evidence"]] == [
        "https://example.org/certificate/42",
        None,
    ]
    assert [r["text"] for r in noted["reflections"]] == ["I now read aloud daily with group 4."]
    assert [n["text"] for n in noted["notes"]] == ["Share this in the team."]
    file_id = with_file["evidence"][1]["evidence_id"]
    download = httpx.get(f"{endpoints.portfolio}/evidence/{file_id}")
    assert (download.status_code, download.content) == (200, content)
    assert download.headers["content-type"] == "application/pdf"
    portfolio = ok(httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio"))
    assert portfolio["total_hours"] == 5.0
    assert portfolio["entries"][0]["reflections"][0]["text"].startswith("I now read aloud")


def test_bad_evidence_and_unknown_entries_are_refused(endpoints: Endpoints) -> None:
    staff_id = str(uuid.uuid4())
    entry = add_entry(endpoints, staff_id)
    url = f"{endpoints.portfolio}/staff/{staff_id}/entries/{entry['entry_id']}"
    assert httpx.post(f"{url}/evidence", json={}).status_code == 422
    assert (
        httpx.post(
            f"{url}/evidence", json={"file": {"name": "x", "content_base64": "%%%"}}
        ).status_code
        == 422
    )
    other = f"{endpoints.portfolio}/staff/{uuid.uuid4()}/entries/{entry['entry_id']}/reflections"
    assert httpx.post(other, json={"text": "not mine"}).status_code == 404


def test_the_portfolio_as_it_stood_on_a_date(endpoints: Endpoints) -> None:
    staff_id = str(uuid.uuid4())
    add_entry(endpoints, staff_id, hours=2)
    yesterday = (dutch_today() - timedelta(days=1)).isoformat()
    then = ok(
        httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio", params={"as_of": yesterday})
    )
    now = ok(
        httpx.get(
            f"{endpoints.portfolio}/staff/{staff_id}/portfolio",
            params={"as_of": dutch_today().isoformat()},
        )
    )
    assert (then["total_hours"], then["entries"]) == (0, [])
    assert now["total_hours"] == 2.0
    assert now == ok(httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio"))


def test_the_page_shows_the_chart_and_the_numbers_of_the_json(endpoints: Endpoints) -> None:
    staff_id = str(uuid.uuid4())
    add_entry(endpoints, staff_id, hours=3, completed_on="2026-07-31", domains=["pedagogy"])
    add_entry(endpoints, staff_id, hours=4.5, completed_on="2026-08-01", title="Study <b>day</b>")
    portfolio = ok(httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio"))
    response = httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio.html")
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
    endpoints: Endpoints,
) -> None:
    board = str(uuid.uuid4())
    academy = ok(
        httpx.post(
            f"{endpoints.catalogue}/academies", json={"name": "Academie West", "board_id": board}
        )
    )
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
        )
    )
    wait_for(
        "enrollment",
        lambda: httpx.get(f"{endpoints.enrollment}/offerings/{offering['offering_id']}").is_success,
    )
    staff_id = str(uuid.uuid4())
    made = ok(
        httpx.post(
            f"{endpoints.enrollment}/enrollments",
            json={
                "staff_id": staff_id,
                "board_id": board,
                "role": "teacher",
                "offering_id": offering["offering_id"],
            },
        )
    )
    ok(
        httpx.post(
            f"{endpoints.enrollment}/enrollments/{made['enrollment_id']}/complete",
            json={"reason": "coach confirmed"},
        )
    )

    def completed() -> dict[str, Any] | None:
        body: dict[str, Any] = ok(httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio"))
        return body if body["entries"] and body["entries"][0]["status"] == "completed" else None

    entry = wait_for("the portfolio", completed)["entries"][0]
    assert (entry["hours"], entry["detail"]["reason"]) == (6.0, "coach confirmed")


def test_the_pdf_dossier_matches_the_ledger(endpoints: Endpoints) -> None:
    staff_id = str(uuid.uuid4())
    add_entry(endpoints, staff_id, hours=3, completed_on="2026-07-31")
    add_entry(endpoints, staff_id, hours=4.5, completed_on="2026-08-01")
    portfolio = ok(httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio"))
    response = httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    years = [(y["school_year"], y["hours"]) for y in portfolio["school_years"]]
    assert (portfolio["total_hours"], years) == (7.5, [("2026-2027", 4.5), ("2025-2026", 3.0)])
    assert "Total: 7.5 hours" in text
    for year, hours in years:
        assert f"School year {year}: {hours} hours" in text


def test_the_yearly_target_follows_the_profile_and_the_board(endpoints: Endpoints) -> None:
    staff_id, board = str(uuid.uuid4()), str(uuid.uuid4())
    this_year = dutch_today().isoformat()
    add_entry(endpoints, staff_id, hours=20, completed_on=this_year)
    url = f"{endpoints.portfolio}/staff/{staff_id}/portfolio"
    assert ok(httpx.get(url))["target_hours_per_year"] is None
    profile = {"board_id": board, "role": "teacher", "sector": "vo", "fte": 0.5}
    ok(httpx.put(f"{endpoints.portfolio}/staff/{staff_id}/profile", json=profile))
    mine = ok(httpx.get(url))
    assert mine["target_hours_per_year"] == 41.5
    assert (mine["school_years"][0]["target"], mine["school_years"][0]["remaining"]) == (41.5, 21.5)
    ok(
        httpx.put(
            f"{endpoints.portfolio}/boards/{board}/targets",
            json={"hours_per_year": {"teacher": 100}},
        )
    )
    assert ok(httpx.get(url))["target_hours_per_year"] == 50.0
    assert ok(httpx.get(url))["four_years"]["hours"] == 20.0
    bad = httpx.put(f"{endpoints.portfolio}/staff/{staff_id}/profile", json={**profile, "fte": 0})
    assert bad.status_code == 422


def test_a_plan_shows_progress_and_the_school_leader_sees_the_school(endpoints: Endpoints) -> None:
    staff_id, board, school = (str(uuid.uuid4()) for _ in range(3))
    add_entry(
        endpoints, staff_id, hours=6, completed_on=dutch_today().isoformat(), goal_tags=["reading"]
    )
    year = school_year(dutch_today())
    goals = {
        "goals": [{"title": "Better reading lessons", "goal_tags": ["reading"], "target_hours": 10}]
    }
    ok(httpx.put(f"{endpoints.portfolio}/staff/{staff_id}/plans/{year}", json=goals))
    [goal] = ok(httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/plans/{year}"))["goals"]
    assert (goal["hours"], goal["reached"]) == (6.0, False)
    profile = {
        "board_id": board,
        "role": "teacher",
        "sector": "po",
        "fte": 1.0,
        "school_ids": [school],
        "team": "groep 3-4",
    }
    ok(httpx.put(f"{endpoints.portfolio}/staff/{staff_id}/profile", json=profile))
    view = ok(httpx.get(f"{endpoints.portfolio}/schools/{school}/overview"))
    assert (view["staff"], view["active_share"], view["by_team"]) == (1, 1.0, {"groep 3-4": 6.0})
    assert [(s["hours"], s["target"]) for s in view["short_of_target"]] == [(6.0, 80.0)]
