"""The catalogue over HTTP, with the other services as real processes: audits that move,
programmes, search, and seats that follow enrollments made in the enrollment service."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for

pytestmark = pytest.mark.e2e

SOON = date.today() + timedelta(days=21)


def ok(response: httpx.Response, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


@pytest.fixture
def http(endpoints: Endpoints) -> httpx.Client:
    return httpx.Client(base_url=endpoints.catalogue, timeout=10.0)


@pytest.fixture
def academy(http: httpx.Client) -> dict[str, Any]:
    body = {"name": "Academie De Linde", "board_id": str(uuid.uuid4())}
    made: dict[str, Any] = ok(http.post("/academies", json=body), 201)
    return made


def offer(http: httpx.Client, academy: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "academy_id": academy["academy_id"],
        "title": "Reading didactics",
        "kind": "course",
        "study_hours": 6,
        **fields,
    }
    made: dict[str, Any] = ok(http.post("/offerings", json=body), 201)
    return made


def on(day: date, hour: int = 14) -> dict[str, str]:
    start = f"{day.isoformat()}T{hour:02d}:00:00+01:00"
    return {"starts_at": start, "ends_at": f"{day.isoformat()}T{hour + 2:02d}:00:00+01:00"}


def found(http: httpx.Client, academy: dict[str, Any], **params: Any) -> list[str]:
    params = {"academy_id": academy["academy_id"], **params}
    return [o["offering_id"] for o in ok(http.get("/offerings", params=params))]


def test_a_rescheduled_audit_moves_in_the_schools_history(
    http: httpx.Client, endpoints: Endpoints
) -> None:
    school = str(uuid.uuid4())
    lead = {"staff_id": str(uuid.uuid4()), "school_id": str(uuid.uuid4()), "role": "lead"}
    body = {
        "school_id": school,
        "board_id": str(uuid.uuid4()),
        "theme": "team learning and collaboration",
        "audit_date": SOON.isoformat(),
        "team": [lead],
    }
    audit = ok(http.post("/audits", json=body), 201)
    later = SOON + timedelta(days=7)
    move = {"audit_date": later.isoformat(), "reason": "exam week"}
    moved = ok(http.post(f"/audits/{audit['audit_id']}/reschedule", json=move))
    assert (moved["audit_date"], moved["rescheduled_from"], moved["reason"]) == (
        later.isoformat(),
        SOON.isoformat(),
        "exam week",
    )
    again = http.post(f"/audits/{audit['audit_id']}/reschedule", json=move)
    assert again.status_code == 409
    assert again.json()["detail"] == f"the audit is already on {later.isoformat()}; nothing to move"
    missing = http.post(f"/audits/{uuid.uuid4()}/reschedule", json=move)
    assert missing.status_code == 404

    def history_moved() -> list[dict[str, Any]] | None:
        r = httpx.get(f"{endpoints.portfolio}/schools/{school}/audits")
        audits: list[dict[str, Any]] = r.json()["audits"] if r.status_code == 200 else []
        return audits if audits and audits[0]["audit_date"] == later.isoformat() else None

    [seen] = wait_for("the portfolio to see the audit move", history_moved)
    assert (seen["audit_id"], seen["status"]) == (audit["audit_id"], "scheduled")
    ok(http.post(f"/audits/{audit['audit_id']}/cancel", json={"reason": "called off"}))
    gone = http.post(f"/audits/{audit['audit_id']}/reschedule", json={"audit_date": "2030-01-01"})
    assert gone.status_code == 409
    assert "is cancelled and cannot be rescheduled" in gone.json()["detail"]


def test_sessions_get_ids_and_updates_raise_the_version(
    http: httpx.Client, academy: dict[str, Any]
) -> None:
    made = offer(http, academy, sessions=[on(SOON + timedelta(days=7)), on(SOON)])
    first, second = made["sessions"]
    assert first["starts_at"] < second["starts_at"]
    assert first["session_id"] and second["session_id"]
    assert made["version"] == 1
    moved = {**second, "location": "Room 2"}
    patch = {"sessions": [first, moved], "requires_approval": True}
    updated = ok(http.patch(f"/offerings/{made['offering_id']}", json=patch))
    assert updated["version"] == 2
    assert updated["sessions"][1] == {**moved, "location": "Room 2"}
    stranger = {**on(SOON), "session_id": str(uuid.uuid4())}
    r = http.patch(f"/offerings/{made['offering_id']}", json={"sessions": [stranger]})
    assert r.status_code == 422
    assert f"not a session of this offering: {stranger['session_id']}" in r.json()["detail"]
    window = {"enrolment_opens": "2026-06-01T09:00:00+02:00"}
    window["enrolment_closes"] = "2026-05-01T09:00:00+02:00"
    r = http.patch(f"/offerings/{made['offering_id']}", json=window)
    assert r.status_code == 422
    assert r.json()["detail"] == "enrolment_opens must be before enrolment_closes"
    assert http.patch(f"/offerings/{made['offering_id']}", json={"version": 9}).status_code == 422
    assert ok(http.get(f"/offerings/{made['offering_id']}"))["version"] == 2


def test_a_programme_of_the_academys_own_offerings(
    http: httpx.Client, academy: dict[str, Any]
) -> None:
    steps = [offer(http, academy, title=f"Step {n}")["offering_id"] for n in (1, 2, 3)]
    path = [steps[1], steps[0], steps[2]]
    body = {
        "academy_id": academy["academy_id"],
        "title": "Beginning teachers",
        "offering_ids": path,
    }
    made = ok(http.post("/programmes", json=body), 201)
    assert made["offering_ids"] == path
    assert ok(http.get(f"/programmes/{made['programme_id']}")) == made
    assert ok(http.get("/programmes", params={"academy_id": academy["academy_id"]})) == [made]
    other_board = {"name": "Het Baken", "board_id": str(uuid.uuid4())}
    other = ok(http.post("/academies", json=other_board), 201)
    foreign = offer(http, other)["offering_id"]
    r = http.post("/programmes", json={**body, "offering_ids": [steps[0], foreign]})
    assert r.status_code == 422
    assert f"not published by academy {academy['academy_id']}: {foreign}" in r.json()["detail"]
    missing = str(uuid.uuid4())
    r = http.post("/programmes", json={**body, "offering_ids": [missing]})
    assert (r.status_code, r.json()["detail"]) == (404, f"offering_ids: no offering {missing}")
    assert http.post("/programmes", json={**body, "offering_ids": []}).status_code == 422
    assert http.get(f"/programmes/{uuid.uuid4()}").status_code == 404


def test_search_combines_filters(http: httpx.Client, academy: dict[str, Any]) -> None:
    leaders = offer(
        http,
        academy,
        kind="coaching",
        domains=["school_leadership"],
        audience={"roles": ["school_leader"], "sectors": ["vo"]},
        sessions=[on(SOON)],
        visibility="network",
    )["offering_id"]
    teachers = offer(
        http,
        academy,
        goal_tags=["reading"],
        audience={"roles": ["teacher"]},
        sessions=[on(SOON + timedelta(days=60))],
    )["offering_id"]
    undated = offer(http, academy, kind="learning_team")["offering_id"]
    assert found(http, academy) == [leaders, teachers, undated]
    assert found(http, academy, kind="coaching") == [leaders]
    assert found(http, academy, role="teacher") == [teachers, undated]
    assert found(http, academy, sector="po") == [teachers, undated]
    assert found(http, academy, goal_tag="reading", role="teacher") == [teachers]
    window = {
        "starts_from": SOON.isoformat(),
        "starts_until": (SOON + timedelta(days=1)).isoformat(),
    }
    assert found(http, academy, **window) == [leaders]
    assert found(http, academy, visible_to=str(uuid.uuid4())) == [leaders]
    assert found(http, academy, visible_to=academy["board_id"]) == [leaders, teachers, undated]
    ok(http.post(f"/offerings/{undated}/withdraw", json={"reason": "no trainer"}))
    assert found(http, academy) == [leaders, teachers]
    assert found(http, academy, status="all") == [leaders, teachers, undated]
    assert http.get("/offerings", params={"role": "janitor"}).status_code == 422


def test_open_seats_follow_enrollments_in_the_enrollment_service(
    http: httpx.Client, academy: dict[str, Any], endpoints: Endpoints
) -> None:
    made = offer(http, academy, capacity=2, sessions=[on(SOON)])
    offering_id = made["offering_id"]
    assert (made["seats_taken"], made["seats_free"]) == (0, 2)
    wait_for(
        "enrollment to know the offering",
        lambda: httpx.get(f"{endpoints.enrollment}/offerings/{offering_id}").status_code == 200,
    )

    def enrol() -> dict[str, Any]:
        body = {
            "staff_id": str(uuid.uuid4()),
            "board_id": academy["board_id"],
            "role": "teacher",
            "offering_id": offering_id,
        }
        made: dict[str, Any] = ok(httpx.post(f"{endpoints.enrollment}/enrollments", json=body), 201)
        return made

    def seats(taken: int) -> dict[str, Any] | None:
        o: dict[str, Any] = ok(http.get(f"/offerings/{offering_id}"))
        return o if o["seats_taken"] == taken else None

    first, second, waiting = enrol(), enrol(), enrol()
    assert [e["status"] for e in (first, second, waiting)] == ["enrolled", "enrolled", "waitlisted"]
    full = wait_for("the catalogue to count two seats", lambda: seats(2))
    assert full["seats_free"] == 0
    assert found(http, academy, open_seats="true") == []
    assert found(http, academy, open_seats="false") == [offering_id]
    # The first leaves; the one waiting moves up: the seat is taken again.
    ok(httpx.post(f"{endpoints.enrollment}/enrollments/{first['enrollment_id']}/cancel", json={}))
    promoted = ok(httpx.get(f"{endpoints.enrollment}/enrollments/{waiting['enrollment_id']}"))
    assert promoted["status"] == "enrolled"
    ok(httpx.post(f"{endpoints.enrollment}/enrollments/{second['enrollment_id']}/cancel", json={}))
    one_left = wait_for("the catalogue to count one seat", lambda: seats(1))
    assert one_left["seats_free"] == 1
    assert found(http, academy, open_seats="true") == [offering_id]
