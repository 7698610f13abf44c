"""Markers planted in everything a person and their school leader write about them, for
the privacy tests: a scan or an export must find every one."""

import base64
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from huisacademie.demo import Endpoints, wait_for
from services.shared.identity.access import Role
from tests.support.people import Caller, People

SESSION = {"starts_at": "2027-03-01T13:00:00+01:00", "ends_at": "2027-03-01T16:00:00+01:00"}


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def plant(
    endpoints: Endpoints, me: Caller, leader: Caller, tag: str, offering_id: str
) -> list[str]:
    """Markers in everything a person and their leader write about them; returns them."""
    markers = [f"{tag}-{what}-{uuid.uuid4().hex[:6]}" for what in (
        "title", "description", "filename", "content", "reflection", "note"
    )]  # fmt: skip
    title, description, filename, content, reflection, note = markers
    por = endpoints.portfolio
    entry = ok(httpx.post(
        f"{por}/staff/{me.id}/entries",
        json={"title": title, "kind": "study", "hours": 3, "completed_on": "2026-10-05",
              "description": description},
        headers=me.headers,
    ))  # fmt: skip
    url = f"{por}/staff/{me.id}/entries/{entry['entry_id']}"
    file = {
        "name": f"{filename}.txt",
        "media_type": "text/plain",
        "content_base64": base64.b64encode(content.encode()).decode(),
    }
    ok(httpx.post(f"{url}/evidence", json={"file": file}, headers=me.headers))
    ok(httpx.post(f"{url}/reflections", json={"text": reflection}, headers=me.headers))
    ok(httpx.post(f"{url}/notes", json={"text": note}, headers=leader.headers))
    # The leader declines their request, saying why: a reason about them, in enrollment.
    declined = f"{tag}-decline-{uuid.uuid4().hex[:6]}"
    asked = ok(httpx.post(
        f"{endpoints.enrollment}/enrollments",
        json={"role": "teacher", "offering_id": offering_id}, headers=me.headers,
    ))  # fmt: skip
    ok(httpx.post(
        f"{endpoints.enrollment}/enrollments/{asked['enrollment_id']}/decline",
        json={"reason": declined}, headers=leader.headers,
    ))  # fmt: skip
    return [*markers, declined]


def offering_needing_approval(endpoints: Endpoints, people: People, board: str) -> str:
    made = ok(httpx.post(
        f"{endpoints.catalogue}/academies", json={"name": "Academie West", "board_id": board},
        headers=people.board_admin(board).headers,
    ))  # fmt: skip
    admin = people.academy_admin(board, made["academy_id"])
    body = {
        "academy_id": made["academy_id"], "title": "Rekenen", "kind": "workshop",
        "study_hours": 2, "capacity": 5, "requires_approval": True,
        "sessions": [SESSION],
    }  # fmt: skip
    offering = ok(httpx.post(f"{endpoints.catalogue}/offerings", json=body, headers=admin.headers))
    known = f"{endpoints.enrollment}/offerings/{offering['offering_id']}"
    wait_for(
        "enrollment to know the offering",
        lambda: httpx.get(known, headers=admin.headers).is_success,
    )
    return str(offering["offering_id"])


@dataclass(frozen=True)
class Colleagues:
    """Two staff members of one school of a new board, their school leader and the
    board's privacy officer."""

    board: str
    school: str
    one: Caller
    other: Caller
    leader: Caller
    officer: Caller

    @classmethod
    def of(cls, people: People) -> "Colleagues":
        board, school = str(uuid.uuid4()), str(uuid.uuid4())
        one, other = people.staff(board, schools=[school]), people.staff(board, schools=[school])
        leader = people.leader(board, school)
        officer = people.person(Role.PRIVACY_OFFICER, board=board)
        return cls(board, school, one, other, leader, officer)
