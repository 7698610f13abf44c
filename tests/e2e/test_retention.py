"""Retention by purpose: a staff member who left the board is kept for the board's
retention period after their last day, then erased by the retention job without anyone
asking, as an erasure by the privacy officer would; everyone else is untouched."""

import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from services.shared.clock import dutch_today
from tests.support.people import Caller, People
from tests.support.planting import Colleagues, ok

pytestmark = pytest.mark.e2e


def learning(endpoints: Endpoints, me: Caller) -> str:
    entry = ok(httpx.post(
        f"{endpoints.portfolio}/staff/{me.id}/entries",
        json={"title": "Congres", "kind": "conference", "hours": 3, "completed_on": "2026-10-05"},
        headers=me.headers,
    ))  # fmt: skip
    text = f"reflection-{uuid.uuid4().hex}"
    ok(httpx.post(
        f"{endpoints.portfolio}/staff/{me.id}/entries/{entry['entry_id']}/reflections",
        json={"text": text}, headers=me.headers,
    ))  # fmt: skip
    return text


def test_a_person_who_left_is_erased_when_the_boards_period_ends(
    endpoints: Endpoints, people: People
) -> None:
    c = Colleagues.of(people)
    board, leaving, staying, leader, officer = c.board, c.one, c.other, c.leader, c.officer
    admin = people.board_admin(board)
    learning(endpoints, leaving)
    learning(endpoints, staying)
    por = endpoints.portfolio
    retention = f"{por}/boards/{board}/retention"
    ok(httpx.put(retention, json={"after_leaving_days": 30}, headers=officer.headers))

    def dossier(of: Caller) -> httpx.Response:
        return httpx.get(f"{por}/staff/{of.id}/portfolio", headers=leader.headers)

    # Only the board's administration records who left.
    left_on = dutch_today() - timedelta(days=10)
    body = {"left_on": left_on.isoformat()}
    for refused in (leaving, leader, officer):
        answer = httpx.post(
            f"{por}/staff/{leaving.id}/departure", json=body, headers=refused.headers
        )
        assert answer.status_code == 403, (refused, answer.text)
    departure: Any = ok(
        httpx.post(f"{por}/staff/{leaving.id}/departure", json=body, headers=admin.headers)
    )
    assert departure["erased_on"] == (left_on + timedelta(days=30)).isoformat()
    # A departure dated long ago would be erased at once: that is not HR's to decide.
    long_ago = {"left_on": (dutch_today() - timedelta(days=400)).isoformat()}
    answer = httpx.post(f"{por}/staff/{staying.id}/departure", json=long_ago, headers=admin.headers)
    assert answer.status_code == 422 and "privacy officer" in answer.json()["detail"]
    # A departure recorded by mistake is withdrawn: the colleague is not erased for it.
    ok(httpx.post(f"{por}/staff/{staying.id}/departure", json=body, headers=admin.headers))
    withdrawn = httpx.delete(f"{por}/staff/{staying.id}/departure", headers=admin.headers)
    assert withdrawn.status_code == 204, withdrawn.text
    # Someone who left and now works for another board is not the old board's to erase.
    moved = people.staff(board, schools=[c.school])
    learning(endpoints, moved)
    ok(httpx.post(f"{por}/staff/{moved.id}/departure", json=body, headers=admin.headers))
    people.place(moved.id, uuid.uuid4(), uuid.uuid4())

    # Within the period the dossier is kept: the job has looked several times by now.
    time.sleep(6)
    assert dossier(leaving).status_code == 200
    assert ok(httpx.get(retention, headers=admin.headers)) == {"after_leaving_days": 30}

    # The privacy officer shortens the period (not the administrator): ten days after
    # leaving, the job erases them.
    seven = {"after_leaving_days": 7}
    assert httpx.put(retention, json=seven, headers=admin.headers).status_code == 403
    ok(httpx.put(retention, json=seven, headers=officer.headers))
    wait_for("the retention job", lambda: dossier(leaving).status_code == 404, timeout=30)
    # Gone from the directory too: nothing links the staff id to them any more.
    assert (
        httpx.get(f"{por}/staff/{leaving.id}/export.zip", headers=officer.headers).status_code
        == 404
    )
    kept = ok(dossier(staying))
    assert kept["total_hours"] == 3 and len(kept["entries"][0]["reflections"]) == 1
    time.sleep(5)  # the job has looked at the one who moved more than once by now
    mine = httpx.get(f"{por}/staff/{moved.id}/portfolio", headers=moved.headers)
    assert mine.status_code == 200 and mine.json()["total_hours"] == 3, mine.text
