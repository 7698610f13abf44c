"""The catalogue over HTTP, with the other services as real processes: audits that move,
programmes, search, and seats that follow enrollments made in the enrollment service.
Each request is made by whoever would make it: a board's administrator sets up academies
and schedules audits, an academy's administrator publishes, staff search and enrol."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e

SOON = date.today() + timedelta(days=21)


def ok(response: httpx.Response, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


class Clients:
    """Clients of the services, each signed in as someone; closed when the test ends."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.opened: list[httpx.Client] = []

    def _open(self, caller: Caller, url: str) -> httpx.Client:
        client = caller.http(base_url=url, timeout=10.0)
        self.opened.append(client)
        return client

    def catalogue(self, caller: Caller) -> httpx.Client:
        return self._open(caller, self.endpoints.catalogue)

    def enrollment(self, caller: Caller) -> httpx.Client:
        return self._open(caller, self.endpoints.enrollment)

    def portfolio(self, caller: Caller) -> httpx.Client:
        return self._open(caller, self.endpoints.portfolio)


@pytest.fixture
def clients(endpoints: Endpoints) -> Iterator[Clients]:
    made = Clients(endpoints)
    yield made
    for client in made.opened:
        client.close()


@dataclass(frozen=True)
class Academy:
    """An academy as the catalogue answered, with its administrator's catalogue client."""

    made: dict[str, Any]
    admin: Caller
    http: httpx.Client

    @property
    def id(self) -> str:
        return str(self.made["academy_id"])

    @property
    def board(self) -> str:
        return str(self.made["board_id"])


def set_up(people: People, clients: Clients, name: str) -> Academy:
    """A board's administrator sets up an academy of their (new) board; its administrator
    is then placed in the directory."""
    board_admin = people.board_admin(None)
    body = {"name": name, "board_id": board_admin.board}
    made: dict[str, Any] = ok(clients.catalogue(board_admin).post("/academies", json=body), 201)
    admin = people.academy_admin(board_admin.board, made["academy_id"])
    return Academy(made, admin, clients.catalogue(admin))


@pytest.fixture
def academy(people: People, clients: Clients) -> Academy:
    return set_up(people, clients, "Academie De Linde")


def offer(academy: Academy, **fields: Any) -> dict[str, Any]:
    """The academy's administrator publishes an offering."""
    body = {
        "academy_id": academy.id,
        "title": "Reading didactics",
        "kind": "course",
        "study_hours": 6,
        **fields,
    }
    made: dict[str, Any] = ok(academy.http.post("/offerings", json=body), 201)
    return made


def on(day: date, hour: int = 14) -> dict[str, str]:
    start = f"{day.isoformat()}T{hour:02d}:00:00+01:00"
    return {"starts_at": start, "ends_at": f"{day.isoformat()}T{hour + 2:02d}:00:00+01:00"}


def found(http: httpx.Client, academy: Academy, **params: Any) -> list[str]:
    """The academy's offerings a search finds, as the client's caller sees them."""
    params = {"academy_id": academy.id, **params}
    return [o["offering_id"] for o in ok(http.get("/offerings", params=params))]


def test_a_rescheduled_audit_moves_in_the_schools_history(people: People, clients: Clients) -> None:
    board_admin = people.board_admin(None)
    http = clients.catalogue(board_admin)
    school = str(uuid.uuid4())
    leader = clients.portfolio(people.leader(board_admin.board, school))
    lead = {"staff_id": str(uuid.uuid4()), "school_id": str(uuid.uuid4()), "role": "lead"}
    body = {
        "school_id": school,
        "board_id": board_admin.board,
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
        r = leader.get(f"/schools/{school}/audits")
        audits: list[dict[str, Any]] = r.json()["audits"] if r.status_code == 200 else []
        return audits if audits and audits[0]["audit_date"] == later.isoformat() else None

    [seen] = wait_for("the portfolio to see the audit move", history_moved)
    assert (seen["audit_id"], seen["status"]) == (audit["audit_id"], "scheduled")
    ok(http.post(f"/audits/{audit['audit_id']}/cancel", json={"reason": "called off"}))
    gone = http.post(f"/audits/{audit['audit_id']}/reschedule", json={"audit_date": "2030-01-01"})
    assert gone.status_code == 409
    assert "is cancelled and cannot be rescheduled" in gone.json()["detail"]


def test_sessions_get_ids_and_updates_raise_the_version(academy: Academy) -> None:
    http = academy.http
    made = offer(academy, sessions=[on(SOON + timedelta(days=7)), on(SOON)])
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
    people: People, clients: Clients, academy: Academy
) -> None:
    http = academy.http
    steps = [offer(academy, title=f"Step {n}")["offering_id"] for n in (1, 2, 3)]
    path = [steps[1], steps[0], steps[2]]
    body = {
        "academy_id": academy.id,
        "title": "Beginning teachers",
        "offering_ids": path,
    }
    made = ok(http.post("/programmes", json=body), 201)
    assert made["offering_ids"] == path
    assert ok(http.get(f"/programmes/{made['programme_id']}")) == made
    assert ok(http.get("/programmes", params={"academy_id": academy.id})) == [made]
    # Another board's academy, with an administrator of its own, publishes one too.
    other = set_up(people, clients, "Het Baken")
    foreign = offer(other)["offering_id"]
    r = http.post("/programmes", json={**body, "offering_ids": [steps[0], foreign]})
    assert r.status_code == 422
    assert f"not published by academy {academy.id}: {foreign}" in r.json()["detail"]
    missing = str(uuid.uuid4())
    r = http.post("/programmes", json={**body, "offering_ids": [missing]})
    assert (r.status_code, r.json()["detail"]) == (404, f"offering_ids: no offering {missing}")
    assert http.post("/programmes", json={**body, "offering_ids": []}).status_code == 422
    assert http.get(f"/programmes/{uuid.uuid4()}").status_code == 404


def test_search_combines_filters(people: People, clients: Clients, academy: Academy) -> None:
    leaders = offer(
        academy,
        kind="coaching",
        domains=["school_leadership"],
        audience={"roles": ["school_leader"], "sectors": ["vo"]},
        sessions=[on(SOON)],
        visibility="network",
    )["offering_id"]
    teachers = offer(
        academy,
        goal_tags=["reading"],
        audience={"roles": ["teacher"]},
        sessions=[on(SOON + timedelta(days=60))],
    )["offering_id"]
    undated = offer(academy, kind="learning_team")["offering_id"]
    # A teacher of the academy's board searches; the caller's board decides what is shown.
    http = clients.catalogue(people.staff(academy.board))
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
    # Staff of another board see only what is shown to the network (there is no
    # `visible_to` to ask as another board any more: a stray one changes nothing), and an
    # offering shown to its own board only is not there for them.
    outsider = clients.catalogue(people.staff())
    assert found(outsider, academy) == [leaders]
    assert found(outsider, academy, visible_to=academy.board) == [leaders]
    assert outsider.get(f"/offerings/{teachers}").status_code == 404
    assert ok(outsider.get(f"/offerings/{leaders}"))["offering_id"] == leaders
    assert found(http, academy, visible_to=str(uuid.uuid4())) == [leaders, teachers, undated]
    ok(academy.http.post(f"/offerings/{undated}/withdraw", json={"reason": "no trainer"}))
    assert found(http, academy) == [leaders, teachers]
    assert found(http, academy, status="all") == [leaders, teachers, undated]
    assert http.get("/offerings", params={"role": "janitor"}).status_code == 422


def test_open_seats_follow_enrollments_in_the_enrollment_service(
    people: People, clients: Clients, academy: Academy
) -> None:
    made = offer(academy, capacity=2, sessions=[on(SOON)])
    offering_id = made["offering_id"]
    assert (made["seats_taken"], made["seats_free"]) == (0, 2)
    academy_enrollment = clients.enrollment(academy.admin)
    wait_for(
        "enrollment to know the offering",
        lambda: academy_enrollment.get(f"/offerings/{offering_id}").status_code == 200,
    )

    def enrol() -> tuple[httpx.Client, dict[str, Any]]:
        """A teacher of the academy's board enrols themself (the offering is shown to its
        own board only)."""
        teacher = clients.enrollment(people.staff(academy.board))
        body = {"role": "teacher", "offering_id": offering_id}
        made: dict[str, Any] = ok(teacher.post("/enrollments", json=body), 201)
        return teacher, made

    def seats(taken: int) -> dict[str, Any] | None:
        o: dict[str, Any] = ok(academy.http.get(f"/offerings/{offering_id}"))
        return o if o["seats_taken"] == taken else None

    (first_by, first), (second_by, second), (waiting_by, waiting) = enrol(), enrol(), enrol()
    assert [e["status"] for e in (first, second, waiting)] == ["enrolled", "enrolled", "waitlisted"]
    full = wait_for("the catalogue to count two seats", lambda: seats(2))
    assert full["seats_free"] == 0
    searcher = clients.catalogue(people.staff(academy.board))
    assert found(searcher, academy, open_seats="true") == []
    assert found(searcher, academy, open_seats="false") == [offering_id]
    # The first leaves; the one waiting moves up: the seat is taken again.
    ok(first_by.post(f"/enrollments/{first['enrollment_id']}/cancel", json={}))
    promoted = ok(waiting_by.get(f"/enrollments/{waiting['enrollment_id']}"))
    assert promoted["status"] == "enrolled"
    ok(second_by.post(f"/enrollments/{second['enrollment_id']}/cancel", json={}))
    one_left = wait_for("the catalogue to count one seat", lambda: seats(1))
    assert one_left["seats_free"] == 1
    assert found(searcher, academy, open_seats="true") == [offering_id]
