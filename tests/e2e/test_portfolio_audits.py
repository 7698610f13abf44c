"""A school follows up the points to improve of its audits; a board sees its cycle."""

import uuid
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def test_follow_up_closes_points_and_the_board_sees_what_is_due(endpoints: Endpoints) -> None:
    board, school = str(uuid.uuid4()), str(uuid.uuid4())
    team = [{"staff_id": str(uuid.uuid4()), "school_id": str(uuid.uuid4()), "role": "lead"}]
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
        )
    )
    findings = {"improvements": ["observe each other's lessons", "share results with parents"]}
    ok(
        httpx.post(
            f"{endpoints.catalogue}/audits/{audit['audit_id']}/complete",
            json={"findings": findings},
        )
    )
    history_url = f"{endpoints.portfolio}/schools/{school}/audits"
    wait_for("the audit in the history", lambda: ok(httpx.get(history_url))["open_points"])

    url = f"{history_url}/{audit['audit_id']}/follow-ups"
    leader = str(uuid.uuid4())
    ok(
        httpx.post(
            url, json={"point_index": 0, "action": "peer visits each month", "recorded_by": leader}
        )
    )
    ok(
        httpx.post(
            url,
            json={
                "point_index": 0,
                "action": "done all year",
                "closed": True,
                "recorded_by": leader,
            },
        )
    )
    assert (
        httpx.post(url, json={"point_index": 2, "action": "x", "recorded_by": leader}).status_code
        == 422
    )
    history = ok(httpx.get(history_url))
    [first, second] = history["audits"][0]["points"]
    assert (first["closed"], [a["action"] for a in first["actions"]]) == (
        True,
        ["peer visits each month", "done all year"],
    )
    assert (
        [p["text"] for p in history["open_points"]]
        == [second["text"]]
        == ["share results with parents"]
    )

    # The service counts from today's date: the cycles end long before and long after it.
    cycle = f"{endpoints.portfolio}/boards/{board}/audits"
    every_two, every_ten = (ok(httpx.get(cycle, params={"every_years": n})) for n in (2, 10))
    assert [(d["school_id"], d["last_audited_on"], d["due_on"], d["due"]) for d in every_two] == [
        (school, "2022-10-01", "2024-10-01", True)
    ]
    assert [(d["due_on"], d["due"]) for d in every_ten] == [("2032-10-01", False)]
