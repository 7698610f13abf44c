"""Webhook deliveries to one healthy subscriber, each against the same receiver fed by a
plain loop: the delivery rate once a backlog waits (a paused subscription resumed), and
the latency from an event's commit to its delivery at a steady rate."""

import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from standardwebhooks.webhooks import Webhook

from bench import stack as bench_stack
from bench.http import board
from bench.latency import percentiles
from bench.people import People, Person
from huisacademie import stack
from huisacademie.system import System
from services.subscriptions.config import SubscriptionsConfig

RECEIVER = "bench-receiver"
PORT = 48099


@dataclass(frozen=True)
class Arrival:
    id: str
    time: datetime
    arrived: float
    body: str


@dataclass(frozen=True)
class Figures:
    rate: float
    loop_rate: float
    latency: dict[str, float]
    loop_latency: dict[str, float]
    backlog: int
    steady: int


def _out() -> Path:
    return bench_stack.LAYOUT.root / "receiver.jsonl"


def _arrivals() -> list[Arrival]:
    if not _out().is_file():
        return []
    rows = [json.loads(line) for line in _out().read_text().splitlines() if line]
    return [
        Arrival(r["id"], datetime.fromisoformat(r["time"]), r["arrived"], r["body"]) for r in rows
    ]


def _start_receiver(secret: str) -> None:
    stack.stop_process(RECEIVER, bench_stack.LAYOUT)
    _out().unlink(missing_ok=True)
    env = {"PATH": os.environ.get("PATH", ""), "RECEIVER_SECRETS": json.dumps([secret]),
           "RECEIVER_OUT": str(_out()), "RECEIVER_PORT": str(PORT)}  # fmt: skip
    argv = [sys.executable, "-m", "bench.receiver"]
    stack.start_process(RECEIVER, argv, bench_stack.LAYOUT, env=env, cwd=stack.repo_root())
    stack.wait_for_port("127.0.0.1", PORT, 30)


async def deliveries(
    running: System, people: People, *, backlog: int, rate: float, steady: int
) -> Figures:
    """Subscribes a new board's receiver; times a backlog of `backlog` events delivered after
    a resume, then `steady` events made at `rate` a second; then the plain loop."""
    sub, por = running.url("subscriptions"), running.url("portfolio")
    crowd = await board(people, 40, name="hooks")
    await people.sign_in([crowd.admin, *crowd.staff])
    async with httpx.AsyncClient(timeout=30) as http:
        admin = await people.headers(crowd.admin)
        made = (await http.post(
            f"{sub}/boards/{crowd.board_id}/subscriptions",
            json={"url": f"http://127.0.0.1:{PORT}/hooks"}, headers=admin,
        )).json()  # fmt: skip
        secret, url = made["secret"], f"{sub}/subscriptions/{made['id']}"
        _start_receiver(secret)
        (await http.post(f"{url}/pause", headers=admin)).raise_for_status()
        await _add_entries(http, people, por, crowd.staff, backlog, rate=None)
        await _all_queued(running, made["id"], backlog)
        began = time.time()
        (
            await http.post(f"{url}/resume", headers=await people.headers(crowd.admin))
        ).raise_for_status()
        queued = await _arrived(backlog)
        ours_rate = backlog / (max(a.arrived for a in queued) - began)
        before = len(_arrivals())
        await _add_entries(http, people, por, crowd.staff, steady, rate=rate)
        live = (await _arrived(before + steady))[before:]
        ours_latency = percentiles([(a.arrived - a.time.timestamp()) * 1000 for a in live])
    bodies = [a.body for a in queued]
    loop_rate = await _plain_loop_rate(bodies, secret, SubscriptionsConfig().per_subscription)
    loop_latency = await _plain_loop_latency([a.body for a in live], secret, rate)
    stack.stop_process(RECEIVER, bench_stack.LAYOUT)
    return Figures(ours_rate, loop_rate, ours_latency, loop_latency, backlog, steady)


async def _add_entries(
    http: httpx.AsyncClient, people: People, por: str, staff: Sequence[Person], n: int,
    *, rate: float | None,
) -> None:  # fmt: skip
    """n portfolio entries, round the staff; at `rate` a second, or as fast as 16 at a time."""
    gate = asyncio.Semaphore(16)
    body = {"title": "Bench", "kind": "study", "hours": 1, "completed_on": "2026-11-20"}

    async def add(person: Person) -> None:
        async with gate:
            done = await http.post(
                f"{por}/staff/{person.id}/entries", json=body, headers=await people.headers(person)
            )
            done.raise_for_status()

    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(add(staff[i % len(staff)])))
        if rate is not None:
            await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


async def _all_queued(running: System, subscription_id: str, n: int) -> None:
    conn = await asyncpg.connect(running.database_urls["subscriptions"])
    try:
        for _ in range(600):
            queued = await conn.fetchval(
                "SELECT count(*) FROM deliveries WHERE subscription_id = $1"
                " AND delivered_at IS NULL", subscription_id,
            )  # fmt: skip
            if queued >= n:
                return
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    raise RuntimeError("the backlog was never queued")


async def _arrived(n: int, within_s: float = 300) -> list[Arrival]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        got = _arrivals()
        if len(got) >= n:
            return got
        await asyncio.sleep(0.05)
    raise RuntimeError(f"only {len(_arrivals())} of {n} deliveries arrived")


def _signed(webhook: Webhook, body: str) -> dict[str, str]:
    msg_id, at = json.loads(body)["id"], datetime.now(UTC)
    return {"content-type": "application/cloudevents+json", "webhook-id": msg_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": webhook.sign(msg_id, at, body)}  # fmt: skip


async def _plain_loop_rate(bodies: list[str], secret: str, in_flight: int) -> float:
    """The same documents, signed and POSTed by a plain loop, as many at once as ours."""
    webhook, queue = Webhook(secret), list(bodies)
    async with httpx.AsyncClient(timeout=30) as http:

        async def worker() -> None:
            while queue:
                body = queue.pop()
                done = await http.post(f"http://127.0.0.1:{PORT}/hooks", content=body,
                                       headers=_signed(webhook, body))  # fmt: skip
                done.raise_for_status()

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        return len(bodies) / (time.perf_counter() - began)


async def _plain_loop_latency(bodies: list[str], secret: str, rate: float) -> dict[str, float]:
    """The same documents at the same rate, each POSTed as it is made: the receiver's floor."""
    webhook, took = Webhook(secret), []
    async with httpx.AsyncClient(timeout=30) as http:

        async def send(body: str) -> None:
            began = time.perf_counter()
            done = await http.post(f"http://127.0.0.1:{PORT}/hooks", content=body,
                                   headers=_signed(webhook, body))  # fmt: skip
            done.raise_for_status()
            took.append((time.perf_counter() - began) * 1000)

        tasks = []
        for body in bodies:
            tasks.append(asyncio.create_task(send(body)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
    return percentiles(took)


def figures_and_row(
    f: Figures,
) -> tuple[dict[str, Any], tuple[str, str, str], tuple[str, str, str]]:
    figures = {
        "webhook_deliveries_per_s": round(f.rate, 1),
        "webhook_plain_loop_per_s": round(f.loop_rate, 1),
        "webhook_vs_plain_loop": round(f.rate / f.loop_rate, 3),
        "webhook_commit_to_delivery_p50_ms": f.latency["p50"],
        "webhook_commit_to_delivery_p99_ms": f.latency["p99"],
        "webhook_plain_loop_p50_ms": f.loop_latency["p50"],
        "webhook_plain_loop_p99_ms": f.loop_latency["p99"],
    }
    rate_row = (
        f"webhook deliveries, a backlog of {f.backlog:,} to one healthy subscriber",
        f"{f.rate:,.0f} deliveries/s (4 in flight, in order per person)",
        f"plain loop, same documents signed and POSTed 4 at a time: {f.loop_rate:,.0f}/s",
    )
    latency_row = (
        f"webhook latency, commit to delivery, {f.steady:,} events",
        "p50 {p50} / p95 {p95} / p99 {p99} / max {max} ms".format(**f.latency),
        "plain loop POST to the same receiver p50 {p50} / p99 {p99} ms".format(**f.loop_latency),
    )
    return figures, rate_row, latency_row
