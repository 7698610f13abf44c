"""The demo's subscribers: the webhook receiver of docs/subscribing.md (the example in
docs/examples/webhook_receiver.py, run as it is) and the stack's learning record store,
both subscribed for the demo board before the scenario plays, both read back after it."""

import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from huisacademie.demo.client import Client, wait_for
from huisacademie.demo.scenario import BOARD_ADMIN, World
from huisacademie.stack.layout import StackLayout, repo_root
from huisacademie.stack.lrs import USERNAME, lrs_password, lrs_url
from huisacademie.stack.processes import start_process, stop_process, wait_for_port

RECEIVER_PROCESS = "webhook-receiver"
EXAMPLE = repo_root() / "docs" / "examples" / "webhook_receiver.py"
Say = Callable[[str], None]
Kind = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Subscribers:
    layout: StackLayout

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.layout.receiver_port}/hooks"

    @property
    def lrs(self) -> str:
        return lrs_url(self.layout)

    @property
    def received(self) -> Path:
        """What the receiver printed: one JSON line an event."""
        return self.layout.logs_dir / f"{RECEIVER_PROCESS}.log"


def subscribe(call: Client, w: World, subs: Subscribers, say: Say) -> datetime:
    """The demo board's subscriptions made anew (a webhook, the LRS), the receiver started
    with the webhook's secret; returns when, so that what arrives later is this run's."""
    url = f"{call.sub}/boards/{w.board}/subscriptions"
    for old in call("GET", url, by=BOARD_ADMIN):
        call.raw("DELETE", f"{call.sub}/subscriptions/{old['id']}", by=BOARD_ADMIN)
    body = {"url": subs.receiver_url, "description": "demo: docs/examples/webhook_receiver.py"}
    hook = call("POST", url, body, by=BOARD_ADMIN)
    stop_process(RECEIVER_PROCESS, subs.layout)
    subs.received.unlink(missing_ok=True)
    env = {"PATH": os.environ.get("PATH", ""), "WEBHOOK_SECRET": hook["secret"],
           "PORT": str(subs.layout.receiver_port)}  # fmt: skip
    start_process(RECEIVER_PROCESS, [sys.executable, str(EXAMPLE)], subs.layout, env=env)
    wait_for_port("127.0.0.1", subs.layout.receiver_port, 30)
    lrs = {"username": USERNAME, "password": lrs_password()}
    statements = {"url": subs.lrs, "format": "xapi", "lrs": lrs, "description": "demo: the LRS"}
    made = call("POST", url, statements, by=BOARD_ADMIN)
    say(f"Subscribed for the board: a webhook to {subs.receiver_url}, xAPI to {subs.lrs}")
    return datetime.fromisoformat(made["created_at"])


def report(call: Client, subs: Subscribers, since: datetime, say: Say) -> dict[str, Any]:
    """What the receiver and the LRS got of this run, once the completions are there."""

    def all_there(made: list[dict[str, Any]], kind: Kind, erased: str) -> Any:
        kinds = Counter(map(kind, made))  # the completions, and the erasure at the end
        return made if kinds["completed"] >= 3 and kinds[erased] else None

    events = wait_for("the webhook receiver to get the completions and the erasure", lambda: (
        all_there(_received(subs), _type, "person_erased")
    ), timeout=60)  # fmt: skip
    statements = wait_for("the learning record store to hold them and the voiding", lambda: (
        all_there(_statements(subs, since), _verb, "voided")
    ), timeout=60)  # fmt: skip
    say("")
    kinds = Counter(map(_type, events))
    say(f"Webhooks: {len(events)} events verified by docs/examples/webhook_receiver.py"
        f" (what it printed: {subs.received})")  # fmt: skip
    say("  " + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()))
    verbs = Counter(map(_verb, statements))
    say(f"xAPI: {len(statements)} statements in the LRS, read back from {subs.lrs}statements"
        f" (user {USERNAME}, password in .local/lrs-access/passwords.json)")  # fmt: skip
    say("  " + ", ".join(f"{n} {verb}" for verb, n in verbs.most_common()))
    for s in [s for s in statements if "result" in s][:3]:
        name = s["object"].get("definition", {}).get("name", {}).get("nl-NL", s["object"]["id"])
        who, verb = s["actor"]["account"]["name"][:8], s["verb"]["display"]["en-US"]
        say(f"  {who}… {verb} {name} {s['result'].get('duration', '')}")
    return {"webhook_events": events, "statements": statements}


def _type(event: dict[str, Any]) -> str:
    return str(event["type"]).split(".")[-2]


def _verb(statement: dict[str, Any]) -> str:
    return str(statement["verb"]["id"]).rsplit("/", 1)[-1]


def _received(subs: Subscribers) -> list[dict[str, Any]]:
    if not subs.received.is_file():
        return []
    lines = subs.received.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def _statements(subs: Subscribers, since: datetime) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{subs.lrs}statements", params={"since": since.isoformat(), "limit": 0},
        auth=(USERNAME, lrs_password()), headers={"x-experience-api-version": "1.0.3"}, timeout=10,
    )  # fmt: skip
    answer.raise_for_status()
    return list(answer.json()["statements"])
