"""The policy tables checked against what people expect, story by story: whose dossier is
whose, who approves, who records attendance, what a board sees of the catalogue, who gets
an evidence file, and that nobody acts in someone else's name."""

import base64
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from huisacademie.identity import MONITORING_CLIENT, MONITORING_SECRET
from services.shared.clock import dutch_today
from services.shared.identity.access import Role
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.url}: {response.status_code} {response.text}"
    return response.json()


def status(response: httpx.Response) -> int:
    assert "internal" not in response.text, response.text
    return response.status_code


@dataclass
class School:
    """A board with two schools: a teacher and a leader in each; an academy."""

    board: str
    school: str
    teacher: Caller
    leader: Caller
    other_school: str
    colleague: Caller
    """A teacher of the other school of the same board."""
    other_leader: Caller
    board_admin: Caller
    admin: Caller
    academy: str
    offering: dict[str, Any]


@pytest.fixture(scope="module")
def at(people: People, endpoints: Endpoints) -> School:
    board, school, other = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    board_admin = people.board_admin(board)
    academy = ok(
        httpx.post(
            f"{endpoints.catalogue}/academies",
            json={"name": "Academie Zuid", "board_id": board},
            headers=board_admin.headers,
        )
    )["academy_id"]
    admin = people.academy_admin(board, academy)
    day = (dutch_today() - timedelta(days=1)).isoformat()
    offering = publish(endpoints, admin, academy, day, requires_approval=True)
    return School(
        board, school, people.staff(board, schools=[school]), people.leader(board, school),
        other, people.staff(board, schools=[other]), people.leader(board, other),
        board_admin, admin, academy, offering,
    )  # fmt: skip


def publish(
    endpoints: Endpoints, admin: Caller, academy: str, day: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "academy_id": academy, "title": "Rekenen", "kind": "workshop", "study_hours": 3,
        "sessions": [{"starts_at": f"{day}T09:00:00+01:00", "ends_at": f"{day}T12:00:00+01:00"}],
        **fields,
    }  # fmt: skip
    made: dict[str, Any] = ok(
        httpx.post(f"{endpoints.catalogue}/offerings", json=body, headers=admin.headers)
    )
    url = f"{endpoints.enrollment}/offerings/{made['offering_id']}"
    wait_for("enrollment to know it", lambda: httpx.get(url, headers=admin.headers).is_success)
    return made


def add_entry(endpoints: Endpoints, who: Caller, title: str, kind: str) -> dict[str, Any]:
    """Learning of the person's own, added by them."""
    body = {"title": title, "kind": kind, "hours": 2, "completed_on": "2026-09-20"}
    url = f"{endpoints.portfolio}/staff/{who.id}/entries"
    made: dict[str, Any] = ok(httpx.post(url, json=body, headers=who.headers))
    return made


def enrol(endpoints: Endpoints, who: Caller, offering: dict[str, Any]) -> dict[str, Any]:
    body = {"role": "teacher", "offering_id": offering["offering_id"]}
    made: dict[str, Any] = ok(
        httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=who.headers)
    )
    return made


def test_a_teacher_reads_and_annotates_their_own_portfolio_and_no_one_elses(
    endpoints: Endpoints, at: School
) -> None:
    mine = f"{endpoints.portfolio}/staff/{at.teacher.id}"
    entry = add_entry(endpoints, at.teacher, "Studiedag", "study")
    reflection = {"text": "Ik pas het toe."}
    url = f"{mine}/entries/{entry['entry_id']}/reflections"
    assert status(httpx.post(url, json=reflection, headers=at.teacher.headers)) == 201
    assert status(httpx.get(f"{mine}/portfolio", headers=at.teacher.headers)) == 200
    # A colleague (same board, other school) cannot tell the dossier exists, nor write in it.
    assert status(httpx.get(f"{mine}/portfolio", headers=at.colleague.headers)) == 404
    assert status(httpx.post(url, json=reflection, headers=at.colleague.headers)) == 404
    # Their own leader reads it; a leader of another school does not; nor does HR (whose
    # staff role reaches only their own dossier, so to them this one does not exist).
    assert status(httpx.get(f"{mine}/portfolio", headers=at.leader.headers)) == 200
    assert status(httpx.get(f"{mine}/portfolio", headers=at.other_leader.headers)) == 404
    assert status(httpx.get(f"{mine}/portfolio", headers=at.board_admin.headers)) == 404


def test_only_the_teachers_own_leader_approves_and_never_in_another_name(
    endpoints: Endpoints, at: School
) -> None:
    asked = enrol(endpoints, at.teacher, at.offering)
    assert asked["status"] == "requested"
    url = f"{endpoints.enrollment}/enrollments/{asked['enrollment_id']}"
    assert status(httpx.post(f"{url}/approve", json={}, headers=at.teacher.headers)) == 403
    assert status(httpx.post(f"{url}/approve", json={}, headers=at.other_leader.headers)) == 404
    in_another_name = {"approver_id": at.other_leader.id}
    refused = httpx.post(f"{url}/approve", json=in_another_name, headers=at.leader.headers)
    assert status(refused) == 403 and "approver_id" in refused.json()["detail"]
    approved = ok(httpx.post(f"{url}/approve", json={}, headers=at.leader.headers))
    assert approved["status"] == "enrolled"
    history = ok(httpx.get(f"{url}/history", headers=at.teacher.headers))
    [decision] = [h for h in history if h["type"].endswith(".enrolled.v1")]
    assert decision["data"]["approved_by"] == at.leader.id


def test_only_the_offerings_academy_records_attendance_and_completion(
    people: People, endpoints: Endpoints, at: School
) -> None:
    day = (dutch_today() - timedelta(days=1)).isoformat()
    offering = publish(endpoints, at.admin, at.academy, day)
    made = enrol(endpoints, at.colleague, offering)
    url = f"{endpoints.enrollment}/enrollments/{made['enrollment_id']}"
    present = {"session_id": offering["sessions"][0]["session_id"], "attended": True}
    elsewhere = people.academy_admin(at.board, str(uuid.uuid4()))
    assert status(httpx.post(f"{url}/attendance", json=present, headers=elsewhere.headers)) == 404
    for not_the_academy in (at.colleague, at.leader, at.board_admin):
        answer = httpx.post(f"{url}/complete", json={}, headers=not_the_academy.headers)
        assert status(answer) == 403, not_the_academy
    done = ok(httpx.post(f"{url}/attendance", json=present, headers=at.admin.headers))
    assert done["status"] == "completed"


def test_the_catalogue_shows_a_board_what_is_shown_to_it_whatever_it_asks(
    people: People, endpoints: Endpoints, at: School
) -> None:
    day = (dutch_today() + timedelta(days=30)).isoformat()
    own = publish(endpoints, at.admin, at.academy, day, title="Alleen voor ons")
    public = publish(
        endpoints, at.admin, at.academy, day, title="Voor iedereen", visibility="public"
    )
    stranger = people.staff(str(uuid.uuid4()))
    search = f"{endpoints.catalogue}/offerings?academy_id={at.academy}"
    found = {o["offering_id"] for o in ok(httpx.get(search, headers=stranger.headers))}
    assert public["offering_id"] in found and own["offering_id"] not in found
    # Asking as the other board changes nothing: the board is the token's.
    pretend = ok(httpx.get(f"{search}&visible_to={at.board}", headers=stranger.headers))
    assert own["offering_id"] not in {o["offering_id"] for o in pretend}
    one = f"{endpoints.catalogue}/offerings/{own['offering_id']}"
    assert status(httpx.get(one, headers=stranger.headers)) == 404
    assert status(httpx.get(one, headers=at.colleague.headers)) == 200
    ours = {o["offering_id"] for o in ok(httpx.get(search, headers=at.teacher.headers))}
    assert {own["offering_id"], public["offering_id"]} <= ours


def test_an_evidence_file_goes_to_its_owner_and_their_leader_only(
    endpoints: Endpoints, at: School
) -> None:
    mine = f"{endpoints.portfolio}/staff/{at.teacher.id}"
    entry = add_entry(endpoints, at.teacher, "Cursus", "course")
    content = b"%PDF-1.4 certificaat"
    upload = {"file": {"name": "certificaat.pdf", "media_type": "application/pdf",
                       "content_base64": base64.b64encode(content).decode()}}  # fmt: skip
    added = ok(
        httpx.post(
            f"{mine}/entries/{entry['entry_id']}/evidence", json=upload, headers=at.teacher.headers
        )
    )
    url = f"{endpoints.portfolio}/evidence/{added['evidence'][0]['evidence_id']}"
    assert httpx.get(url, headers=at.teacher.headers).content == content
    assert httpx.get(url, headers=at.leader.headers).content == content
    assert status(httpx.get(url, headers=at.other_leader.headers)) == 404
    assert status(httpx.get(url, headers=at.colleague.headers)) == 404
    assert status(httpx.get(url, headers=at.board_admin.headers)) == 404
    assert status(httpx.get(url)) == 401


def test_a_school_overview_goes_to_that_schools_leader_and_the_board(
    endpoints: Endpoints, at: School
) -> None:
    url = f"{endpoints.portfolio}/schools/{at.school}/overview"
    assert status(httpx.get(url, headers=at.leader.headers)) == 200
    assert status(httpx.get(url, headers=at.board_admin.headers)) == 200
    assert status(httpx.get(url, headers=at.other_leader.headers)) == 404
    assert status(httpx.get(url, headers=at.teacher.headers)) == 403


def test_a_leader_enrols_a_team_of_their_own_schools_staff_only(
    people: People, endpoints: Endpoints, at: School
) -> None:
    day = (dutch_today() + timedelta(days=40)).isoformat()
    offering = publish(endpoints, at.admin, at.academy, day, capacity=5)
    member, outsider = str(uuid.uuid4()), str(uuid.uuid4())
    people.place(member, at.board, at.school)
    people.place(outsider, at.board, at.other_school)
    team = f"{endpoints.enrollment}/teams/enrollments"

    def body(*staff: str) -> dict[str, Any]:
        members = [{"staff_id": s, "role": "teacher"} for s in staff]
        return {"offering_id": offering["offering_id"], "members": members}

    refused = httpx.post(team, json=body(member, outsider), headers=at.leader.headers)
    assert status(refused) == 403 and outsider in refused.json()["detail"]
    assert status(httpx.post(team, json=body(member), headers=at.teacher.headers)) == 403
    made = ok(httpx.post(team, json=body(member), headers=at.leader.headers))
    assert [e["staff_id"] for e in made["enrollments"]] == [member]


def test_nobody_enrols_or_writes_notes_in_someone_elses_name(
    endpoints: Endpoints, at: School
) -> None:
    day = (dutch_today() + timedelta(days=50)).isoformat()
    offering = publish(endpoints, at.admin, at.academy, day)
    body = {"role": "teacher", "offering_id": offering["offering_id"], "staff_id": at.colleague.id}
    refused = httpx.post(
        f"{endpoints.enrollment}/enrollments", json=body, headers=at.teacher.headers
    )
    assert status(refused) == 403 and "staff_id" in refused.json()["detail"]
    mine = f"{endpoints.portfolio}/staff/{at.teacher.id}"
    entry = add_entry(endpoints, at.teacher, "Boek", "reading")
    notes = f"{mine}/entries/{entry['entry_id']}/notes"
    as_other = {"text": "Goed gedaan", "leader_id": at.other_leader.id}
    assert status(httpx.post(notes, json=as_other, headers=at.leader.headers)) == 403
    added = ok(httpx.post(notes, json={"text": "Goed gedaan"}, headers=at.leader.headers))
    assert added["notes"][0]["leader_id"] == at.leader.id


def test_a_calendar_feed_is_found_by_a_secret_its_owner_can_renew(
    endpoints: Endpoints, at: School
) -> None:
    renew = f"{endpoints.enrollment}/staff/{at.teacher.id}/calendar-feed"
    assert status(httpx.post(renew, headers=at.colleague.headers)) == 404
    first = ok(httpx.post(renew, headers=at.teacher.headers))["url"]
    feed = httpx.get(first)  # a calendar application sends no token
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    second = ok(httpx.post(renew, headers=at.teacher.headers))["url"]
    assert second != first
    assert httpx.get(first).status_code == 404
    assert httpx.get(second).status_code == 200


def test_metrics_are_the_operators_monitoring_only(
    people: People, endpoints: Endpoints, at: School
) -> None:
    monitoring = people.client(MONITORING_CLIENT, MONITORING_SECRET, None, Role.OPERATOR)
    for url in (endpoints.catalogue, endpoints.enrollment, endpoints.portfolio):
        assert status(httpx.get(f"{url}/metrics", headers=monitoring.headers)) == 200
        assert status(httpx.get(f"{url}/metrics", headers=at.board_admin.headers)) == 403
        assert status(httpx.get(f"{url}/metrics")) == 401
        assert status(httpx.get(f"{url}/health/live")) == 200
        # The operator's monitoring reads no one's records.
        portfolio = f"{endpoints.portfolio}/staff/{at.teacher.id}/portfolio"
        assert status(httpx.get(portfolio, headers=monitoring.headers)) == 403


def test_a_leader_does_not_approve_their_own_request(
    people: People, endpoints: Endpoints, at: School
) -> None:
    asked = enrol(endpoints, at.leader, at.offering)
    url = f"{endpoints.enrollment}/enrollments/{asked['enrollment_id']}/approve"
    refused = httpx.post(url, json={}, headers=at.leader.headers)
    assert status(refused) == 403 and "your own" in refused.json()["detail"]
    colleague = people.leader(at.board, at.school)
    assert ok(httpx.post(url, json={}, headers=colleague.headers))["status"] == "enrolled"


def test_a_board_audits_its_own_schools_with_its_own_staff(
    people: People, endpoints: Endpoints, at: School
) -> None:
    elsewhere = str(uuid.uuid4())
    stranger = people.leader(elsewhere, str(uuid.uuid4()))  # places a school of another board
    auditor = people.person(Role.AUDITOR, board=at.board, schools=[at.other_school])
    day = (dutch_today() + timedelta(days=20)).isoformat()

    def audit(school: str, member: Caller, member_school: str) -> httpx.Response:
        team = [{"staff_id": member.id, "school_id": member_school, "role": "lead"}]
        body = {"school_id": school, "board_id": at.board, "theme": "Lezen",
                "audit_date": day, "team": team}  # fmt: skip
        return httpx.post(
            f"{endpoints.catalogue}/audits", json=body, headers=at.board_admin.headers
        )

    other_school = next(iter(stranger.schools))
    refused = audit(str(other_school), auditor, at.other_school)
    assert status(refused) == 403 and "another board" in refused.json()["detail"]
    refused = audit(at.school, stranger, str(other_school))
    assert status(refused) == 403 and "another board" in refused.json()["detail"]
    assert audit(at.school, auditor, at.other_school).status_code == 201
