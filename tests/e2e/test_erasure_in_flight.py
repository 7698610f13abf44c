"""An erasure while the person's events are on their way: completions for them and for a
colleague stream from enrollment to the portfolio as the privacy officer erases one of
them. Nothing of the colleague's is lost or counted twice, and nothing of the erased
person's is left half-way, in any table of the portfolio."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from huisacademie.system import System
from tests.e2e.test_erasure import _rows_about
from tests.support.people import Caller, People
from tests.support.planting import SESSION, Colleagues, ok

pytestmark = pytest.mark.e2e
OFFERINGS = 24
HOURS = 2


def offerings(endpoints: Endpoints, people: People, board: str) -> tuple[Caller, list[str]]:
    academy = ok(httpx.post(
        f"{endpoints.catalogue}/academies", json={"name": "Academie Oost", "board_id": board},
        headers=people.board_admin(board).headers,
    ))  # fmt: skip
    admin = people.academy_admin(board, academy["academy_id"])
    made = [
        ok(httpx.post(
            f"{endpoints.catalogue}/offerings",
            json={"academy_id": academy["academy_id"], "title": f"Workshop {n}",
                  "kind": "workshop", "study_hours": HOURS, "sessions": [SESSION]},
            headers=admin.headers,
        ))["offering_id"]
        for n in range(OFFERINGS)
    ]  # fmt: skip
    wait_for("enrollment to know the offerings", lambda: all(
        httpx.get(f"{endpoints.enrollment}/offerings/{o}", headers=admin.headers).is_success
        for o in made
    ), timeout=60)  # fmt: skip
    return admin, made


def test_an_erasure_amid_the_persons_events_leaves_nothing_half_and_loses_nothing_else(
    endpoints: Endpoints, people: People, system: System
) -> None:
    c = Colleagues.of(people)
    gone, kept, leader, officer = c.one, c.other, c.leader, c.officer
    admin, made = offerings(endpoints, people, c.board)
    enrolled: list[tuple[Caller, str]] = []
    for offering_id in made:
        team = ok(httpx.post(
            f"{endpoints.enrollment}/teams/enrollments",
            json={"offering_id": offering_id, "confirm_overlap": True, "members": [
                {"staff_id": gone.id, "role": "teacher"},
                {"staff_id": kept.id, "role": "teacher"},
            ]},
            headers=leader.headers,
        ))["enrollments"]  # fmt: skip
        by_staff = {e["staff_id"]: e["enrollment_id"] for e in team}
        enrolled += [(gone, by_staff[gone.id]), (kept, by_staff[kept.id])]

    sent = threading.Semaphore(0)

    def complete(enrollment_id: str) -> int:
        answer = httpx.post(
            f"{endpoints.enrollment}/enrollments/{enrollment_id}/complete",
            json={"reason": "alle bijeenkomsten"}, headers=admin.headers, timeout=30,
        )  # fmt: skip
        sent.release()
        return answer.status_code

    with ThreadPoolExecutor(4) as pool:
        futures = [(who, pool.submit(complete, e)) for who, e in enrolled]
        for _ in range(len(enrolled) // 3):  # a third on its way: erase the person now
            sent.acquire()
        erased = httpx.post(
            f"{endpoints.portfolio}/staff/{gone.id}/erasure",
            json={"reason": "request of the person"}, headers=officer.headers, timeout=30,
        )  # fmt: skip
        statuses = [(who, f.result()) for who, f in futures]
    assert erased.status_code == 200, erased.text
    assert all(s == 200 for who, s in statuses if who is kept), statuses
    # Completions of the erased person after the erasure may be refused, never a 5xx.
    assert all(s < 500 for _, s in statuses), statuses

    def portfolio_of_kept() -> Any:
        found = ok(httpx.get(
            f"{endpoints.portfolio}/staff/{kept.id}/portfolio", headers=kept.headers
        ))  # fmt: skip
        done = [e for e in found["entries"] if e["status"] == "completed"]
        return found if len(done) == OFFERINGS else None

    found = wait_for("every completion of the colleague", portfolio_of_kept, timeout=120)
    assert found["total_hours"] == OFFERINGS * HOURS, "a completion lost or counted twice"
    assert len(found["entries"]) == OFFERINGS
    # Whatever was in flight has landed by now, and none of it stayed.
    time.sleep(3)
    assert asyncio.run(_rows_about(system, gone.id)) == {}
    answer = httpx.get(f"{endpoints.portfolio}/staff/{gone.id}/portfolio", headers=leader.headers)
    assert answer.status_code == 404
