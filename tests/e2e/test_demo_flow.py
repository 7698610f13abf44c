"""The demo's flow through the HTTP APIs of the three running services."""

from collections.abc import Iterator
from typing import Any

import pytest

from huisacademie import demo, stack
from huisacademie.demo import STAFF, USER, Endpoints, SignIn
from huisacademie.demo.scenario import CLASSROOM, READING, TEAM
from huisacademie.demo.subscribers import RECEIVER_PROCESS
from huisacademie.stack.processes import stop_process

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def played(endpoints: Endpoints, sign_in: SignIn, lrs: str) -> Iterator[dict[str, Any]]:
    """The demo played as `make demo` plays it: with the receiver of docs/subscribing.md
    (docs/examples/webhook_receiver.py, run as it is) and the LRS subscribed."""
    subscribed = demo.Subscribers(stack.test_layout())
    try:
        yield demo.run(endpoints, sign_in, say=lambda _: None, subscribed=subscribed)
    finally:
        stop_process(RECEIVER_PROCESS, subscribed.layout)


def test_the_receiver_example_verifies_and_the_lrs_holds_the_demos_learning(
    played: dict[str, Any],
) -> None:
    events = played["webhook_events"]
    types = {e["type"].split(".")[-2] for e in events}
    assert {"enrolled", "waitlisted", "completed", "person_erased"} <= types
    assert len({e["id"] for e in events}) == len(events)  # it printed each event once
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in played["statements"]}
    assert {"registered", "attended", "completed", "voided"} <= verbs
    bram = played["staff"][STAFF[1]]
    assert all(s["actor"]["account"]["name"] != bram for s in played["statements"])


def _entries(portfolio: dict[str, Any], status: str) -> list[dict[str, Any]]:
    return [e for e in portfolio["entries"] if e["status"] == status]


def test_portfolio_lists_completions_with_hours_per_school_year(played: dict[str, Any]) -> None:
    portfolio = played["portfolio"]
    completed = {e["title"]: e for e in _entries(portfolio, "completed")}
    assert set(completed) == {
        READING,
        CLASSROOM,
        TEAM,
    }
    assert completed[READING]["hours"] == 12.0
    assert completed[READING]["domains"] == ["subject_didactics"]
    assert completed[READING]["academy_name"] == "Academie De Linde"
    [reflection] = completed[READING]["reflections"]
    assert reflection["text"].startswith("Voorlezen in kleine groepjes werkt")
    assert portfolio["total_hours"] == 34.0
    this_year, last_year = portfolio["school_years"]
    assert this_year["hours"] == 28.0
    assert this_year["by_domain"] == {"pedagogy": 16.0, "subject_didactics": 28.0}
    assert this_year["by_goal_tag"] == {"formatief evalueren": 16.0, "lezen": 12.0}
    assert this_year["by_academy"] == {"Academie De Linde": 28.0}
    assert last_year["hours"] == 6.0
    assert last_year["by_kind"] == {"workshop": 6.0}
    assert completed[CLASSROOM]["school_year"] == last_year["school_year"]


def test_waiting_list_and_cancellation_show_in_the_portfolios(
    played: dict[str, Any], endpoints: Endpoints, sign_in: SignIn
) -> None:
    import httpx

    def portfolio(name: str) -> dict[str, Any]:
        staff_id = played["staff"][name]
        headers = {"Authorization": f"Bearer {sign_in.token(USER[name])}"}
        url = f"{endpoints.portfolio}/staff/{staff_id}/portfolio"
        body: dict[str, Any] = httpx.get(url, headers=headers).json()
        return body

    cancelled = portfolio(STAFF[0])
    # Cancelled the reading course; asked to join the learning team (the leader decides).
    assert sorted(e["status"] for e in cancelled["entries"]) == ["cancelled", "requested"]
    assert cancelled["total_hours"] == 0
    promoted = portfolio(STAFF[2])
    assert [(e["status"], e["hours"]) for e in promoted["entries"]] == [("completed", 12.0)]
    still_waiting = portfolio(STAFF[4])
    statuses = sorted(e["status"] for e in still_waiting["entries"])
    assert statuses == ["completed", "waitlisted"]  # audit work, and the reading course


def test_auditors_are_credited_and_the_school_history_holds_the_findings(
    played: dict[str, Any],
) -> None:
    lead = played["auditor_portfolio"]
    [work] = [e for e in lead["entries"] if e["source"] == "audit"]
    assert work["kind"] == "peer_audit"
    assert work["status"] == "completed"
    assert lead["total_hours"] == 8.0
    assert work["hours"] == 8.0
    assert work["detail"]["role"] == "lead"
    assert work["detail"]["audited_school_id"] == played["schools"]["De Linde"]
    [audit] = played["history"]["audits"]
    assert audit["status"] == "completed"
    assert audit["theme"] == "teamleren en samenwerking"
    assert audit["findings"]["improvements"] == ["deel lesobservaties ook tussen de bouwen"]
    assert {m["staff_id"] for m in audit["team"]} == {
        played["staff"][STAFF[3]],
        played["staff"][STAFF[4]],
    }
