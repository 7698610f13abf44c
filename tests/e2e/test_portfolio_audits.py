"""A school follows up the points to improve of its audits; a board sees its cycle. The
board's administrator schedules the audit, its lead auditor records the findings, the
school's leader follows them up, and the board's administrator reads the cycle."""

import uuid
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from services.shared.identity.access import Role
from tests.support.people import People

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def test_follow_up_closes_points_and_the_board_sees_what_is_due(
    endpoints: Endpoints, people: People
) -> None:
    board_admin = people.board_admin(None)
    board, school, elsewhere = board_admin.board, str(uuid.uuid4()), str(uuid.uuid4())
    leader = people.leader(board, school)
    auditor = people.person(Role.AUDITOR, board=board, schools=[elsewhere])
    team = [{"staff_id": auditor.id, "school_id": elsewhere, "role": "lead"}]
    audit = ok(
        httpx.post(
            f"{endpoints.catalogue}/audits",
            json={
                "school_id": school,
                "board_id": board,
                "theme": "feedback",
                "audit_date": "2022-10-01",
                "team": team,
            },
            headers=board_admin.headers,
        )
    )
    findings = {"improvements": ["observe each other's lessons", "share results with parents"]}
    ok(
        httpx.post(
            f"{endpoints.catalogue}/audits/{audit['audit_id']}/complete",
            json={"findings": findings},
            headers=auditor.headers,
        )
    )
    history_url = f"{endpoints.portfolio}/schools/{school}/audits"
    wait_for(
        "the audit in the history",
        lambda: ok(httpx.get(history_url, headers=leader.headers))["open_points"],
    )

    url = f"{history_url}/{audit['audit_id']}/follow-ups"
    # The leader may name themself as recorded_by, or leave it out (the token says who).
    ok(
        httpx.post(
            url,
            json={"point_index": 0, "action": "peer visits each month", "recorded_by": leader.id},
            headers=leader.headers,
        )
    )
    # Naming someone else is refused (before, any recorded_by was taken as it came).
    someone_else = {"point_index": 0, "action": "x", "recorded_by": str(uuid.uuid4())}
    refused = httpx.post(url, json=someone_else, headers=leader.headers)
    assert refused.status_code == 403
    assert "recorded_by must be you" in refused.json()["detail"]
    ok(
        httpx.post(
            url,
            json={"point_index": 0, "action": "done all year", "closed": True},
            headers=leader.headers,
        )
    )
    assert (
        httpx.post(url, json={"point_index": 2, "action": "x"}, headers=leader.headers).status_code
        == 422
    )
    history = ok(httpx.get(history_url, headers=leader.headers))
    [first, second] = history["audits"][0]["points"]
    assert (first["closed"], [a["action"] for a in first["actions"]]) == (
        True,
        ["peer visits each month", "done all year"],
    )
    assert [a["recorded_by"] for a in first["actions"]] == [leader.id, leader.id]
    assert (
        [p["text"] for p in history["open_points"]]
        == [second["text"]]
        == ["share results with parents"]
    )

    # The service counts from today's date: the cycles end long before and long after it.
    cycle = f"{endpoints.portfolio}/boards/{board}/audits"
    every_two, every_ten = (
        ok(httpx.get(cycle, params={"every_years": n}, headers=board_admin.headers))
        for n in (2, 10)
    )
    assert [(d["school_id"], d["last_audited_on"], d["due_on"], d["due"]) for d in every_two] == [
        (school, "2022-10-01", "2024-10-01", True)
    ]
    assert [(d["due_on"], d["due"]) for d in every_ten] == [("2032-10-01", False)]
