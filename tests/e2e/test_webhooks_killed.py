"""The delivery component killed with SIGKILL and restarted, ten times, under steady load:
every event still reaches every subscriber whose filter matches it, in order per person,
and a repeat carries the same webhook-id (what a receiver deduplicates by)."""

import os
import random
import signal
import threading
import time
import uuid

import httpx
import pytest

from contracts.portfolio import EntryAdded
from huisacademie import stack
from huisacademie.demo import Endpoints, wait_for
from huisacademie.system import System
from tests.support.people import Caller, People
from tests.support.planting import ok
from tests.support.receiver import Receiver
from tests.support.subscribing import Board, subscribe

pytestmark = pytest.mark.e2e
KILLS = 10
RATE = 25.0


class Load(threading.Thread):
    """Staff add learning to their portfolios, one entry after another each, RATE a second
    in all, until told to stop; what each added, in order."""

    def __init__(self, endpoints: Endpoints, staff: list[Caller]) -> None:
        super().__init__(daemon=True)
        self.endpoints, self.staff = endpoints, staff
        self.added: dict[str, list[str]] = {who.id: [] for who in staff}
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as http:
            while not self.stopping.is_set():
                for who in self.staff:
                    entry = ok(http.post(
                        f"{self.endpoints.portfolio}/staff/{who.id}/entries",
                        json={"title": f"Studiedag {uuid.uuid4().hex[:6]}", "kind": "study",
                              "hours": 1, "completed_on": "2026-11-20"},
                        headers=who.headers,
                    ))  # fmt: skip
                    self.added[who.id].append(entry["entry_id"])
                    time.sleep(1 / RATE)


def _entries(receiver: Receiver) -> dict[str, list[str]]:
    """Each person's entries as they first arrived."""
    got: dict[str, list[str]] = {}
    for event in receiver.first_arrivals():
        if event["type"] == EntryAdded.ce_type:
            got.setdefault(event["subject"], []).append(event["data"]["entry_id"])
    return got


def _difference(got: dict[str, list[str]], added: dict[str, list[str]]) -> str:
    """Per person: how many were added and arrived, and where the two first differ."""
    said = []
    for who, made in added.items():
        seen = got.get(who, [])
        first = next((i for i, (a, b) in enumerate(zip(made, seen, strict=False)) if a != b), None)
        said.append(
            f"{who[:8]}: added {len(made)}, arrived {len(seen)}, first out of order {first}"
        )
    return "; ".join(said)


def test_deliveries_survive_the_delivery_component_killed_ten_times(
    endpoints: Endpoints, people: People, system: System
) -> None:
    board = Board.made(endpoints, people)
    other_school = str(uuid.uuid4())
    staff = [board.staff(people) for _ in range(4)]
    staff += [people.staff(board.id, schools=[other_school]) for _ in range(2)]
    everything, one_school, enrolments = Receiver().start(), Receiver().start(), Receiver().start()
    subscribe(endpoints, board.admin, board.id, everything)
    subscribe(endpoints, board.admin, board.id, one_school, schools=[board.school],
              event_types=[EntryAdded.ce_type])  # fmt: skip
    subscribe(endpoints, board.admin, board.id, enrolments,
              event_types=["nl.huisacademie.enrollment.enrolled.v1"])  # fmt: skip
    enrolled = [board.enrol(endpoints, who) for who in staff[:3]]
    load = Load(endpoints, staff)
    load.start()
    layout, rng = stack.test_layout(), random.Random(16)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(1.0, 2.5))  # deliveries and fan-outs in flight
            pid = stack.process_status("subscriptions", layout)
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            wait_for("the killed process to be gone", lambda: stack.process_status(
                "subscriptions", layout) is None)  # fmt: skip
            system.start_service("subscriptions")
            system.wait_ready("subscriptions", 60)
    finally:
        load.stopping.set()
        load.join(timeout=60)
    added = load.added
    assert sum(map(len, added.values())) > 50  # the load went on throughout
    in_school = {who.id: added[who.id] for who in staff[:4]}

    try:
        wait_for("every entry at the receiver of everything",
                 lambda: _entries(everything) == added, timeout=120)  # fmt: skip
    except AssertionError:
        raise
    except Exception as e:
        raise AssertionError(f"{e}: {_difference(_entries(everything), added)}") from e
    wait_for("the school's entries at its receiver", lambda: _entries(one_school) == in_school,
             timeout=120)  # fmt: skip
    wait_for("the enrolments at theirs", lambda: {
        e["data"]["enrollment_id"] for e in enrolments.first_arrivals()
    } == set(enrolled), timeout=120)  # fmt: skip
    assert {e["type"] for e in enrolments.events()} <= {
        "nl.huisacademie.enrollment.enrolled.v1", "nl.huisacademie.privacy.person_erased.v1"
    }  # fmt: skip
    for receiver in (everything, one_school, enrolments):
        assert receiver.refused == 0
        by_event: dict[str, set[str]] = {}
        for arrival in receiver.arrivals:
            key = str(arrival.event["data"].get("entry_id") or arrival.event["id"])
            by_event.setdefault(key, set()).add(arrival.webhook_id)
        assert all(len(ids) == 1 for ids in by_event.values())  # a repeat: the same webhook-id
        assert all(a.webhook_id == a.event["id"] for a in receiver.arrivals)
    repeats = len(everything.arrivals) - len(everything.first_arrivals())
    print(f"\n{KILLS} kills; {sum(map(len, added.values()))} entries; {repeats} repeats")
    for receiver in (everything, one_school, enrolments):
        receiver.stop()
