"""What the subscription tests share: a board with an academy, an offering and staff, and
subscriptions made through the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from huisacademie.demo import Endpoints, wait_for
from services.shared.identity.access import Role
from tests.support.people import Caller, People
from tests.support.planting import SESSION, ok
from tests.support.receiver import Receiver


@dataclass(frozen=True)
class Board:
    """A new board: its school, administrator, privacy officer, academy administrator and
    one offering of its academy (no approval needed, ten seats)."""

    id: str
    school: str
    admin: Caller
    officer: Caller
    academy: Caller
    offering_id: str
    session_id: str

    @classmethod
    def made(cls, endpoints: Endpoints, people: People, *, capacity: int = 10) -> Board:
        board, school = str(uuid.uuid4()), str(uuid.uuid4())
        admin = people.board_admin(board)
        made = ok(httpx.post(
            f"{endpoints.catalogue}/academies", json={"name": "Academie Oost", "board_id": board},
            headers=admin.headers,
        ))  # fmt: skip
        academy = people.academy_admin(board, made["academy_id"])
        body = {
            "academy_id": made["academy_id"], "title": "Samen lezen", "kind": "workshop",
            "study_hours": 2.5, "capacity": capacity, "sessions": [SESSION],
        }  # fmt: skip
        offering = ok(
            httpx.post(f"{endpoints.catalogue}/offerings", json=body, headers=academy.headers)
        )
        known = f"{endpoints.enrollment}/offerings/{offering['offering_id']}"
        wait_for(
            "enrollment to know the offering",
            lambda: httpx.get(known, headers=academy.headers).is_success,
        )
        officer = people.person(Role.PRIVACY_OFFICER, board=board)
        session_id = offering["sessions"][0]["session_id"]
        return cls(board, school, admin, officer, academy, offering["offering_id"], session_id)

    def staff(self, people: People) -> Caller:
        return people.staff(self.id, schools=[self.school])

    def enrol(self, endpoints: Endpoints, who: Caller) -> str:
        made = ok(httpx.post(
            f"{endpoints.enrollment}/enrollments",
            json={"role": "teacher", "offering_id": self.offering_id}, headers=who.headers,
        ))  # fmt: skip
        return str(made["enrollment_id"])

    def attend(self, endpoints: Endpoints, enrollment_id: str) -> None:
        """The academy records attendance of the offering's one session."""
        ok(httpx.post(
            f"{endpoints.enrollment}/enrollments/{enrollment_id}/attendance",
            json={"session_id": self.session_id, "attended": True}, headers=self.academy.headers,
        ))  # fmt: skip

    def complete(self, endpoints: Endpoints, enrollment_id: str, **body: Any) -> None:
        ok(httpx.post(
            f"{endpoints.enrollment}/enrollments/{enrollment_id}/complete",
            json=body, headers=self.academy.headers,
        ))  # fmt: skip


def subscribe(
    endpoints: Endpoints, by: Caller, board: str, receiver: Receiver | None = None, **body: Any
) -> dict[str, Any]:
    """A subscription made through the API; a receiver given is told its secret."""
    if receiver is not None:
        body.setdefault("url", receiver.url)
    made = ok(httpx.post(
        f"{endpoints.subscriptions}/boards/{board}/subscriptions", json=body, headers=by.headers
    ))  # fmt: skip
    if receiver is not None and made["secret"]:
        receiver.secrets.append(made["secret"])
    return dict(made)


def of_type(events: list[dict[str, Any]], suffix: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"].split(".")[-2] == suffix]
