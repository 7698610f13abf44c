"""Learning as xAPI statements in a real learning record store (Ralph): one statement per
event however often it is delivered, valid by the LRS's own models, the actor an account
on the board's identity provider, and voided when the person is erased."""

from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from huisacademie.stack.lrs import USERNAME, lrs_password
from tests.support.lrs import invalid, statements
from tests.support.people import People
from tests.support.planting import ok
from tests.support.subscribing import Board, subscribe

pytestmark = pytest.mark.e2e
ADL = "http://adlnet.gov/expapi/verbs/"


def _verbs(made: list[dict[str, Any]]) -> list[str]:
    return sorted(s["verb"]["id"].removeprefix(ADL) for s in made)


def test_enrolment_attendance_and_completion_become_one_statement_each_and_erasure_voids_them(
    endpoints: Endpoints, people: People, lrs: str
) -> None:
    board = Board.made(endpoints, people)
    lrs_in = {"username": USERNAME, "password": lrs_password()}
    wrong = httpx.post(
        f"{endpoints.subscriptions}/boards/{board.id}/subscriptions",
        json={"url": lrs, "format": "xapi", "lrs": lrs_in,
              "event_types": ["nl.huisacademie.catalogue.course_offered.v1"]},
        headers=board.admin.headers,
    )  # fmt: skip
    assert wrong.status_code == 422 and "no xAPI statement" in wrong.text
    made = subscribe(endpoints, board.admin, board.id, url=lrs, format="xapi", lrs=lrs_in)
    assert made["secret"] is None
    teacher = board.staff(people)
    enrollment = board.enrol(endpoints, teacher)
    board.attend(endpoints, enrollment)  # the one session: which completes the offering
    held = wait_for("three statements in the LRS", lambda: (
        s if len(s := statements(lrs, registration=enrollment)) == 3 else None
    ), timeout=60)  # fmt: skip
    assert _verbs(held) == ["attended", "completed", "registered"]
    completed = next(s for s in held if s["verb"]["id"] == ADL + "completed")
    assert completed["result"]["duration"] == "PT2H30M" and completed["result"]["completion"]
    assert completed["object"]["id"].endswith(f"/xapi/activities/offerings/{board.offering_id}")
    assert completed["actor"]["account"] == {"homePage": people.issuer, "name": teacher.subject}
    assert "mbox" not in completed["actor"]
    assert invalid(held) is None, invalid(held)

    # Delivered again (a replay from the start), the LRS still holds one of each.
    ok(httpx.post(
        f"{endpoints.subscriptions}/subscriptions/{made['id']}/replay",
        json={"since": made["created_at"]}, headers=board.admin.headers,
    ))  # fmt: skip
    url = f"{endpoints.subscriptions}/subscriptions/{made['id']}/deliveries"
    wait_for("the replay delivered", lambda: not ok(httpx.get(
        url, params={"undelivered": True}, headers=board.admin.headers
    )) and len(ok(httpx.get(url, headers=board.admin.headers))) >= 6)  # fmt: skip
    assert len(statements(lrs, registration=enrollment)) == 3

    # Erased: every statement about them is voided by a statement of huisacademie's.
    ok(httpx.post(
        f"{endpoints.portfolio}/staff/{teacher.id}/erasure", json={"reason": "asked"},
        headers=board.officer.headers,
    ))  # fmt: skip
    ids = {s["id"] for s in held}

    def voided() -> list[dict[str, Any]] | None:
        made = [s for s in statements(lrs, verb=ADL + "voided") if s["object"]["id"] in ids]
        return made if {s["object"]["id"] for s in made} == ids else None

    voiding = wait_for("voiding statements", voided, timeout=60)
    assert all(s["object"]["objectType"] == "StatementRef" for s in voiding)
    assert invalid(voiding) is None, invalid(voiding)
