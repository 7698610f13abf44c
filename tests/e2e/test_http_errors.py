"""Invalid requests get a 4xx that says what is wrong; never a 500."""

import uuid
from datetime import date

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for

pytestmark = pytest.mark.e2e


def enrollment(offering_id: str) -> dict[str, str]:
    """A new teacher of some board enrols (the test offering is public)."""
    return {
        "staff_id": str(uuid.uuid4()),
        "board_id": str(uuid.uuid4()),
        "role": "teacher",
        "offering_id": offering_id,
    }


@pytest.fixture(scope="module")
def offering(endpoints: Endpoints) -> str:
    academy = httpx.post(
        f"{endpoints.catalogue}/academies",
        json={"name": "Academie Zuid", "board_id": str(uuid.uuid4())},
    ).json()
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
    offering_id: str = httpx.post(f"{endpoints.catalogue}/offerings", json=body).json()[
        "offering_id"
    ]
    wait_for(
        "enrollment to know the offering",
        lambda: httpx.get(f"{endpoints.enrollment}/offerings/{offering_id}").status_code == 200,
    )
    return offering_id


def test_an_invalid_body_names_the_field(endpoints: Endpoints) -> None:
    r = httpx.post(
        f"{endpoints.catalogue}/offerings",
        json={"academy_id": str(uuid.uuid4()), "title": "X", "kind": "lecture", "study_hours": -1},
    )
    assert r.status_code == 422
    fields = {tuple(e["loc"]) for e in r.json()["detail"]}
    assert ("body", "kind") in fields
    assert ("body", "study_hours") in fields


def test_a_body_that_is_not_json_is_a_422(endpoints: Endpoints) -> None:
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments",
        content=b"{oops",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422


def test_unknown_ids_are_404(endpoints: Endpoints) -> None:
    missing = uuid.uuid4()
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments",
        json=enrollment(str(missing)),
    )
    assert r.status_code == 404
    assert str(missing) in r.json()["detail"]
    assert httpx.get(f"{endpoints.catalogue}/offerings/{missing}").status_code == 404
    assert (
        httpx.post(f"{endpoints.enrollment}/enrollments/{missing}/cancel", json={}).status_code
        == 404
    )
    assert httpx.get(f"{endpoints.catalogue}/offerings/not-a-uuid").status_code == 422


def test_enrolling_twice_is_a_conflict(endpoints: Endpoints, offering: str) -> None:
    body = enrollment(offering)
    assert httpx.post(f"{endpoints.enrollment}/enrollments", json=body).status_code == 201
    again = httpx.post(f"{endpoints.enrollment}/enrollments", json=body)
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


def test_a_repeated_idempotency_key_returns_the_same_enrollment(
    endpoints: Endpoints, offering: str
) -> None:
    body = enrollment(offering)
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=headers)
    second = httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()


def test_completing_a_waitlisted_enrollment_is_a_conflict(
    endpoints: Endpoints, offering: str
) -> None:
    def enrol() -> httpx.Response:
        body = enrollment(offering)
        return httpx.post(f"{endpoints.enrollment}/enrollments", json=body)

    statuses = [enrol().json() for _ in range(2)]
    waiting = next(e for e in statuses if e["status"] == "waitlisted")
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments/{waiting['enrollment_id']}/complete", json={}
    )
    assert r.status_code == 409
    assert "waitlisted" in r.json()["detail"]


def test_an_auditor_from_the_audited_school_is_refused(endpoints: Endpoints) -> None:
    school = str(uuid.uuid4())
    body = {
        "school_id": school,
        "board_id": str(uuid.uuid4()),
        "theme": "reading",
        "audit_date": date.today().isoformat(),
        "team": [{"staff_id": str(uuid.uuid4()), "school_id": school, "role": "lead"}],
    }
    r = httpx.post(f"{endpoints.catalogue}/audits", json=body)
    assert r.status_code == 422
    assert "other schools than the audited school" in r.json()["detail"]


def test_a_patch_with_null_for_a_required_field_is_a_422(
    endpoints: Endpoints, offering: str
) -> None:
    r = httpx.patch(f"{endpoints.catalogue}/offerings/{offering}", json={"title": None})
    assert r.status_code == 422
    assert "title: may be left out, but not null" in r.text
    unlimited = httpx.patch(f"{endpoints.catalogue}/offerings/{offering}", json={"capacity": None})
    assert unlimited.status_code == 200
    assert unlimited.json()["capacity"] is None


def test_session_times_without_a_time_zone_are_a_422(endpoints: Endpoints, offering: str) -> None:
    sessions = [{"starts_at": "2026-12-01T09:00:00", "ends_at": "2026-12-01T11:00:00+01:00"}]
    r = httpx.patch(f"{endpoints.catalogue}/offerings/{offering}", json={"sessions": sessions})
    assert r.status_code == 422
    assert ["body", "sessions", 0, "starts_at"] in [e["loc"] for e in r.json()["detail"]]


def test_duplicate_domains_are_a_422(endpoints: Endpoints, offering: str) -> None:
    r = httpx.patch(
        f"{endpoints.catalogue}/offerings/{offering}", json={"domains": ["pedagogy", "pedagogy"]}
    )
    assert r.status_code == 422
    assert "distinct" in r.text


def test_an_empty_idempotency_key_is_a_422(endpoints: Endpoints, offering: str) -> None:
    body = enrollment(offering)
    r = httpx.post(
        f"{endpoints.enrollment}/enrollments", json=body, headers={"Idempotency-Key": ""}
    )
    assert r.status_code == 422
    assert "idempotency-key" in r.text.lower()


def test_oversized_findings_are_a_422(endpoints: Endpoints) -> None:
    school = str(uuid.uuid4())
    audit = httpx.post(
        f"{endpoints.catalogue}/audits",
        json={
            "school_id": school,
            "board_id": str(uuid.uuid4()),
            "theme": "reading",
            "audit_date": date.today().isoformat(),
            "team": [
                {"staff_id": str(uuid.uuid4()), "school_id": str(uuid.uuid4()), "role": "lead"}
            ],
        },
    ).json()
    findings = {"strengths": ["x" * 1_000_000]}
    r = httpx.post(
        f"{endpoints.catalogue}/audits/{audit['audit_id']}/complete", json={"findings": findings}
    )
    assert r.status_code == 422
    assert (
        httpx.get(f"{endpoints.catalogue}/audits/{audit['audit_id']}").json()["status"]
        == "scheduled"
    )
