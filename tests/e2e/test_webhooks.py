"""Webhooks by the Standard Webhooks specification: a board's tools subscribe over HTTP and
get each event as a signed CloudEvents document, in order per person, only their own
board's, with what people wrote still sealed."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from tests.support.people import People
from tests.support.planting import ok
from tests.support.receiver import Receiver
from tests.support.subscribing import Board, of_type, subscribe

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver().start()
    yield made
    made.stop()


def test_a_board_gets_its_own_events_signed_as_cloudevents_and_nothing_of_another_board(
    endpoints: Endpoints, people: People
) -> None:
    ours, theirs = Board.made(endpoints, people), Board.made(endpoints, people)
    mine, other = Receiver().start(), Receiver().start()
    try:
        made = subscribe(endpoints, ours.admin, ours.id, mine, description="HR")
        subscribe(endpoints, theirs.admin, theirs.id, other)
        assert made["secret"].startswith("whsec_") and made["status"] == "active"
        teacher, stranger = ours.staff(people), theirs.staff(people)
        enrollment = ours.enrol(endpoints, teacher)
        ours.complete(endpoints, enrollment, reason="met the criteria at the school")
        theirs.enrol(endpoints, stranger)

        done = wait_for("our completion to arrive", lambda: of_type(mine.events(), "completed"))
        wait_for("their enrolment to arrive", lambda: of_type(other.events(), "enrolled"))
        completed = done[0]
        assert completed["specversion"] == "1.0"
        assert completed["source"] == "/huisacademie/enrollment"
        assert completed["subject"] == teacher.id
        assert completed["datacontenttype"] == "application/json"
        data = completed["data"]
        assert data["staff_id"] == teacher.id and data["enrollment_id"] == enrollment
        assert data["employer"] == {"board_id": ours.id, "school_ids": [ours.school]}
        assert data["reason"]["sealed"] == "A256GCM"  # what the academy wrote stays sealed
        arrival = next(a for a in mine.arrivals if a.event["id"] == completed["id"])
        assert arrival.webhook_id == completed["id"]
        assert arrival.headers["content-type"] == "application/cloudevents+json"
        assert mine.refused == 0 and other.refused == 0
        # Nothing of the other board, in either direction.
        assert all(
            e["data"].get("employer", {}).get("board_id") != theirs.id for e in mine.events()
        )
        assert stranger.id not in {e["subject"] for e in mine.events()}
        assert teacher.id not in {e["subject"] for e in other.events()}
    finally:
        mine.stop()
        other.stop()


def test_bad_subscriptions_get_a_4xx_that_says_what_is_wrong(
    endpoints: Endpoints, people: People
) -> None:
    board, elsewhere = Board.made(endpoints, people), Board.made(endpoints, people)
    url = f"{endpoints.subscriptions}/boards/{board.id}/subscriptions"
    cases = {
        "not a url": (422, "url"),
        "ftp://example.org/x": (422, "http(s)"),
        "http://10.0.0.8/hooks": (422, "own network"),
        "http://169.254.169.254/latest/meta-data": (422, "own network"),
        "https://user:pw@example.org/hooks": (422, "user name"),
    }
    for bad, (status, says) in cases.items():
        answer = httpx.post(url, json={"url": bad}, headers=board.admin.headers)
        assert answer.status_code == status and says in answer.text, (bad, answer.text)
    unknown = httpx.post(
        url, json={"url": "http://127.0.0.1:9/x", "event_types": ["nl.huisacademie.no.such.v1"]},
        headers=board.admin.headers,
    )  # fmt: skip
    assert unknown.status_code == 422 and "unknown event types" in unknown.text
    oversized = httpx.post(
        url, json={"url": "http://127.0.0.1:9/x", "event_types": ["x"] * 101},
        headers=board.admin.headers,
    )  # fmt: skip
    assert oversized.status_code == 422 and "event_types" in oversized.text
    other_board = httpx.post(
        f"{endpoints.subscriptions}/boards/{elsewhere.id}/subscriptions",
        json={"url": "http://127.0.0.1:9/x"}, headers=board.admin.headers,
    )  # fmt: skip
    assert other_board.status_code in (403, 404), other_board.text
    other_school = httpx.post(
        url, json={"url": "http://127.0.0.1:9/x", "schools": [elsewhere.school]},
        headers=board.admin.headers,
    )  # fmt: skip
    # the other board's school is only known once someone is placed in it
    elsewhere.staff(people)
    other_school = httpx.post(
        url, json={"url": "http://127.0.0.1:9/x", "schools": [elsewhere.school]},
        headers=board.admin.headers,
    )  # fmt: skip
    assert other_school.status_code == 403 and "another board" in other_school.text
    staff = board.staff(people)
    assert (
        httpx.post(url, json={"url": "http://127.0.0.1:9/x"}, headers=staff.headers).status_code
        == 403
    )
    ok(httpx.get(url, headers=board.admin.headers))


def _log(
    endpoints: Endpoints, board: Board, subscription: dict[str, Any], **params: bool
) -> list[dict[str, Any]]:
    return list(ok(httpx.get(
        f"{endpoints.subscriptions}/subscriptions/{subscription['id']}/deliveries",
        params=params, headers=board.admin.headers,
    )))  # fmt: skip


def _learning(endpoints: Endpoints, board: Board, people: People, n: int) -> dict[str, list[str]]:
    """n staff members each enrol and attend (which completes); each one's event types."""
    made: dict[str, list[str]] = {}
    for _ in range(n):
        who = board.staff(people)
        enrollment = board.enrol(endpoints, who)
        board.attend(endpoints, enrollment)  # the one session: which completes the offering
        made[who.id] = ["enrolled", "attendance_recorded", "completed"]
    return made


def _per_person(receiver: Receiver, people: set[str]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for event in receiver.first_arrivals():
        if event["subject"] in people:
            seen.setdefault(event["subject"], []).append(event["type"].split(".")[-2])
    return seen


def test_a_failing_or_silent_subscriber_holds_up_no_other_and_catches_up_in_order(
    endpoints: Endpoints, people: People
) -> None:
    board = Board.made(endpoints, people)
    healthy, failing, silent = (
        Receiver().start(),
        Receiver(mode="fail").start(),
        Receiver(mode="hang").start(),
    )
    try:
        subs = [subscribe(endpoints, board.admin, board.id, r) for r in (healthy, failing, silent)]
        expected = _learning(endpoints, board, people, 4)
        # The healthy receiver gets everything while the others fail: shown by what arrives.
        wait_for("the healthy receiver to get every event", lambda: (
            _per_person(healthy, set(expected)) == expected
        ), timeout=60)  # fmt: skip
        assert failing.arrivals == [] and silent.arrivals == []
        wait_for("both failures in the delivery log", lambda: (
            any(d["last_status"] == 500 for d in _log(endpoints, board, subs[1], undelivered=True))
            and any("no answer" in (d["last_error"] or "")
                    for d in _log(endpoints, board, subs[2], undelivered=True))
        ), timeout=60)  # fmt: skip
        log = _log(endpoints, board, subs[1], undelivered=True)
        tried = next(d for d in log if d["tries"])
        assert tried["tries"][0]["status"] == 500 and tried["last_error"] == "answered HTTP 500"
        # later events for the same person wait behind the failed one, never tried yet
        assert any(not d["tries"] for d in log)
        assert tried["tries"][0]["duration_ms"] >= 0
        failing.mode, silent.mode = "ok", "ok"
        for recovered in (failing, silent):

            def caught_up(r: Receiver = recovered) -> bool:
                return _per_person(r, set(expected)) == expected

            wait_for("a recovered receiver to catch up", caught_up, timeout=90)
        for receiver in (healthy, failing, silent):
            assert receiver.refused == 0
            ids = [a.webhook_id for a in receiver.arrivals]
            assert all(a.webhook_id == a.event["id"] for a in receiver.arrivals), ids
    finally:
        for receiver in (healthy, failing, silent):
            receiver.stop()


def test_secrets_rotate_with_both_signatures_during_the_overlap(
    endpoints: Endpoints, people: People, receiver: Receiver
) -> None:
    board = Board.made(endpoints, people)
    made = subscribe(endpoints, board.admin, board.id, receiver)
    old = made["secret"]
    rotated = ok(httpx.post(
        f"{endpoints.subscriptions}/subscriptions/{made['id']}/secret", headers=board.admin.headers
    ))  # fmt: skip
    new = rotated["secret"]
    assert new != old and new.startswith("whsec_") and rotated["previous_valid_until"]
    receiver.secrets[:] = [new]
    teacher = board.staff(people)
    board.enrol(endpoints, teacher)
    arrived = wait_for("a delivery after the rotation", lambda: [
        a for a in receiver.arrivals if a.event["subject"] == teacher.id
    ])  # fmt: skip
    signed = arrived[0]
    assert len(signed.headers["webhook-signature"].split(" ")) == 2
    assert signed.verifies(new) and signed.verifies(old)  # either side of the change-over
    assert not signed.verifies("whsec_" + "QUJD" * 8)


def test_pause_resume_and_the_delivery_log(
    endpoints: Endpoints, people: People, receiver: Receiver
) -> None:
    board = Board.made(endpoints, people)
    made = subscribe(endpoints, board.admin, board.id, receiver)
    url = f"{endpoints.subscriptions}/subscriptions/{made['id']}"
    assert ok(httpx.post(f"{url}/pause", headers=board.admin.headers))["status"] == "paused"
    teacher = board.staff(people)
    board.enrol(endpoints, teacher)
    waiting = wait_for("the enrolment queued for the paused subscription", lambda: [
        d for d in _log(endpoints, board, made, undelivered=True)
        if d["type"].endswith("enrolled.v1")
    ])  # fmt: skip
    assert waiting[0]["attempts"] == 0 and waiting[0]["delivered_at"] is None
    assert receiver.arrivals == []
    assert ok(httpx.post(f"{url}/resume", headers=board.admin.headers))["status"] == "active"
    wait_for("the enrolment after resuming", lambda: of_type(receiver.events(), "enrolled"))
    log = wait_for("the delivery in the log", lambda: [
        d for d in _log(endpoints, board, made) if d["delivered_at"] is not None
    ])  # fmt: skip
    assert log[0]["last_status"] == 204 and log[0]["tries"][-1]["status"] == 204
    changed = ok(httpx.patch(url, json={"description": "roosters"}, headers=board.admin.headers))
    assert changed["description"] == "roosters"
    assert [s["id"] for s in ok(httpx.get(
        f"{endpoints.subscriptions}/boards/{board.id}/subscriptions", headers=board.admin.headers
    ))] == [made["id"]]  # fmt: skip
    assert httpx.delete(url, headers=board.admin.headers).status_code == 204
    assert httpx.get(url, headers=board.admin.headers).status_code == 404


def test_history_goes_out_only_with_the_privacy_officers_consent_then_live_in_order(
    endpoints: Endpoints, people: People, receiver: Receiver
) -> None:
    board = Board.made(endpoints, people)
    witness = Receiver().start()
    try:
        subscribe(endpoints, board.admin, board.id, witness)
        before = board.staff(people)
        first = board.enrol(endpoints, before)
        board.complete(endpoints, first)
        wait_for("the history to be kept", lambda: of_type(witness.events(), "completed"))
    finally:
        witness.stop()
    made = subscribe(endpoints, board.admin, board.id, receiver, history=True)
    assert made["status"] == "awaiting_consent" and made["history_request"]["consented_at"] is None
    later = board.staff(people)
    board.enrol(endpoints, later)
    ok(httpx.post(  # live, about a person with history: it waits behind their history
        f"{endpoints.portfolio}/staff/{before.id}/entries",
        json={"title": "Studiedag", "kind": "study", "hours": 1, "completed_on": "2026-11-20"},
        headers=before.headers,
    ))  # fmt: skip
    consent = (
        f"{endpoints.subscriptions}/subscriptions/{made['id']}"
        f"/history/{made['history_request']['id']}/consent"
    )
    refused = httpx.post(consent, headers=board.admin.headers)
    assert refused.status_code == 403, refused.text  # only the privacy officer consents
    given = ok(httpx.post(consent, headers=board.officer.headers))
    assert given["consented_by"] == board.officer.id and given["queued"] >= 2
    assert httpx.post(consent, headers=board.officer.headers).status_code == 409

    def of(who: str) -> list[str]:
        return [e["type"].split(".")[-2] for e in receiver.first_arrivals() if e["subject"] == who]

    wait_for("the history, then what came live", lambda: (
        len(of(before.id)) >= 3 and of(later.id)
    ))  # fmt: skip
    assert of(before.id) == ["enrolled", "completed", "entry_added"]  # each person in order
    assert of(later.id) == ["enrolled"]
    history = ok(httpx.get(
        f"{endpoints.subscriptions}/subscriptions/{made['id']}/history",
        headers=board.officer.headers,
    ))  # fmt: skip
    assert history[0]["consented_by"] == board.officer.id


def test_a_replay_sends_the_same_events_again_with_the_same_ids(
    endpoints: Endpoints, people: People, receiver: Receiver
) -> None:
    board = Board.made(endpoints, people)
    made = subscribe(endpoints, board.admin, board.id, receiver)
    teacher = board.staff(people)
    board.enrol(endpoints, teacher)
    wait_for("the enrolment", lambda: of_type(receiver.events(), "enrolled"))
    url = f"{endpoints.subscriptions}/subscriptions/{made['id']}/replay"
    too_early = httpx.post(url, json={"since": "2020-01-01T00:00:00Z"}, headers=board.admin.headers)
    assert too_early.status_code == 422 and "consent" in too_early.text
    again = ok(httpx.post(url, json={"since": made["created_at"]}, headers=board.admin.headers))
    assert again["queued"] >= 1
    twice = wait_for(
        "the replay",
        lambda: (
            [a.webhook_id for a in receiver.arrivals if a.event["subject"] == teacher.id]
            if len([a for a in receiver.arrivals if a.event["subject"] == teacher.id]) >= 2
            else None
        ),
    )
    assert len(set(twice)) == 1  # the same event, the same webhook-id: a receiver drops it
