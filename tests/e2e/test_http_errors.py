"""Invalid requests get a 4xx that says what is wrong; never a 500. Each request is made,
with a valid token, by whoever would make it: staff enrol, the academy's administrator
publishes, changes and completes, the board's administrator schedules audits, the audit
team records its findings."""

import uuid
from dataclasses import dataclass
from datetime import date

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from services.shared.identity.access import Role
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e


def enrollment(offering_id: str) -> dict[str, str]:
    """What a teacher sends to enrol themself (the token says who and of which board)."""
    return {"role": "teacher", "offering_id": offering_id}


@dataclass(frozen=True)
class Published:
    """The test offering (public, one seat) and its academy's administrator."""

    offering_id: str
    admin: Caller


@pytest.fixture(scope="module")
def offering(endpoints: Endpoints, people: People) -> Published:
    board_admin = people.board_admin(None)
    academy = httpx.post(
        f"{endpoints.catalogue}/academies",
        json={"name": "Academie Zuid", "board_id": board_admin.board},
        headers=board_admin.headers,
    ).json()
    admin = people.academy_admin(board_admin.board, academy["academy_id"])
    body = {
        "academy_id": academy["academy_id"],
        "title": "Rekenen",
        "kind": "course",
        "study_hours": 4,
        "capacity": 1,
        "visibility": "public",
        "sessions": [
            {"starts_at": "2026-12-01T09:00:00+01:00", "ends_at": "2026-12-01T11:00:00+01:00"}
        ],
    }
    offering_id: str = httpx.post(
        f"{endpoints.catalogue}/offerings", json=body, headers=admin.headers
    ).json()["offering_id"]
    wait_for(
        "enrollment to know the offering",
        lambda: (
            httpx.get(
                f"{endpoints.enrollment}/offerings/{offering_id}", headers=admin.headers
            ).status_code
            == 200
        ),
    )
    return Published(offering_id, admin)


@pytest.fixture
def teacher(people: People) -> Caller:
    """A new teacher of some board (the test offering is public)."""
    return people.staff()


def test_an_invalid_body_names_the_field(endpoints: Endpoints, offering: Published) -> None:
    r = httpx.post(
        f"{endpoints.catalogue}/offerings",
        json={"academy_id": str(uuid.uuid4()), "title": "X", "kind": "lecture", "study_hours": -1},
        headers=offering.admin.headers,
    )
    assert r.status_code == 422
    fields = {tuple(e["loc"]) for e in r.json()["detail"]}
    assert ("body", "kind") in fields
    assert ("body", "study_hours") in fields


def test_a_body_that_is_not_json_is_a_422(endpoints: Endpoints, teacher: Caller) -> None:
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments",
        content=b"{oops",
        headers={"content-type": "application/json", **teacher.headers},
    )
    assert r.status_code == 422


def test_unknown_ids_are_404(endpoints: Endpoints, teacher: Caller) -> None:
    missing = uuid.uuid4()
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments",
        json=enrollment(str(missing)),
        headers=teacher.headers,
    )
    assert r.status_code == 404
    assert str(missing) in r.json()["detail"]
    assert (
        httpx.get(f"{endpoints.catalogue}/offerings/{missing}", headers=teacher.headers).status_code
        == 404
    )
    assert (
        httpx.post(
            f"{endpoints.enrollment}/enrollments/{missing}/cancel",
            json={},
            headers=teacher.headers,
        ).status_code
        == 404
    )
    assert (
        httpx.get(
            f"{endpoints.catalogue}/offerings/not-a-uuid", headers=teacher.headers
        ).status_code
        == 422
    )


def test_enrolling_twice_is_a_conflict(
    endpoints: Endpoints, offering: Published, teacher: Caller
) -> None:
    body = enrollment(offering.offering_id)
    url = f"{endpoints.enrollment}/enrollments"
    assert httpx.post(url, json=body, headers=teacher.headers).status_code == 201
    again = httpx.post(url, json=body, headers=teacher.headers)
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


def test_a_repeated_idempotency_key_returns_the_same_enrollment(
    endpoints: Endpoints, offering: Published, teacher: Caller
) -> None:
    body = enrollment(offering.offering_id)
    headers = {"Idempotency-Key": str(uuid.uuid4()), **teacher.headers}
    first = httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=headers)
    second = httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()


def test_completing_a_waitlisted_enrollment_is_a_conflict(
    endpoints: Endpoints, offering: Published, people: People
) -> None:
    def enrol() -> httpx.Response:
        body = enrollment(offering.offering_id)
        return httpx.post(
            f"{endpoints.enrollment}/enrollments", json=body, headers=people.staff().headers
        )

    statuses = [enrol().json() for _ in range(2)]
    waiting = next(e for e in statuses if e["status"] == "waitlisted")
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments/{waiting['enrollment_id']}/complete",
        json={},
        headers=offering.admin.headers,
    )
    assert r.status_code == 409
    assert "waitlisted" in r.json()["detail"]


def test_an_auditor_from_the_audited_school_is_refused(
    endpoints: Endpoints, people: People
) -> None:
    school = str(uuid.uuid4())
    board_admin = people.board_admin(None)
    body = {
        "school_id": school,
        "board_id": board_admin.board,
        "theme": "reading",
        "audit_date": date.today().isoformat(),
        "team": [{"staff_id": str(uuid.uuid4()), "school_id": school, "role": "lead"}],
    }
    r = httpx.post(f"{endpoints.catalogue}/audits", json=body, headers=board_admin.headers)
    assert r.status_code == 422
    assert "other schools than the audited school" in r.json()["detail"]


def test_a_patch_with_null_for_a_required_field_is_a_422(
    endpoints: Endpoints, offering: Published
) -> None:
    url, headers = f"{endpoints.catalogue}/offerings/{offering.offering_id}", offering.admin.headers
    r = httpx.patch(url, json={"title": None}, headers=headers)
    assert r.status_code == 422
    assert "title: may be left out, but not null" in r.text
    unlimited = httpx.patch(url, json={"capacity": None}, headers=headers)
    assert unlimited.status_code == 200
    assert unlimited.json()["capacity"] is None


def test_session_times_without_a_time_zone_are_a_422(
    endpoints: Endpoints, offering: Published
) -> None:
    sessions = [{"starts_at": "2026-12-01T09:00:00", "ends_at": "2026-12-01T11:00:00+01:00"}]
    r = httpx.patch(
        f"{endpoints.catalogue}/offerings/{offering.offering_id}",
        json={"sessions": sessions},
        headers=offering.admin.headers,
    )
    assert r.status_code == 422
    assert ["body", "sessions", 0, "starts_at"] in [e["loc"] for e in r.json()["detail"]]


def test_duplicate_domains_are_a_422(endpoints: Endpoints, offering: Published) -> None:
    r = httpx.patch(
        f"{endpoints.catalogue}/offerings/{offering.offering_id}",
        json={"domains": ["pedagogy", "pedagogy"]},
        headers=offering.admin.headers,
    )
    assert r.status_code == 422
    assert "distinct" in r.text


def test_an_empty_idempotency_key_is_a_422(
    endpoints: Endpoints, offering: Published, teacher: Caller
) -> None:
    body = enrollment(offering.offering_id)
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments",
        json=body,
        headers={"Idempotency-Key": "", **teacher.headers},
    )
    assert r.status_code == 422
    assert "idempotency-key" in r.text.lower()


def test_oversized_findings_are_a_422(endpoints: Endpoints, people: People) -> None:
    school, elsewhere = str(uuid.uuid4()), str(uuid.uuid4())
    board_admin = people.board_admin(None)
    auditor = people.person(Role.AUDITOR, board=board_admin.board, schools=[elsewhere])
    audit = httpx.post(
        f"{endpoints.catalogue}/audits",
        json={
            "school_id": school,
            "board_id": board_admin.board,
            "theme": "reading",
            "audit_date": date.today().isoformat(),
            "team": [{"staff_id": auditor.id, "school_id": elsewhere, "role": "lead"}],
        },
        headers=board_admin.headers,
    ).json()
    findings = {"strengths": ["x" * 1_000_000]}
    r = httpx.post(
        f"{endpoints.catalogue}/audits/{audit['audit_id']}/complete",
        json={"findings": findings},
        headers=auditor.headers,
    )
    assert r.status_code == 422
    assert (
        httpx.get(
            f"{endpoints.catalogue}/audits/{audit['audit_id']}", headers=auditor.headers
        ).json()["status"]
        == "scheduled"
    )
