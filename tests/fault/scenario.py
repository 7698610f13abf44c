"""Running one fault scenario: services up, a steady load, faults alongside, then the
settled read models compared with every accepted command."""

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fault.lab import LONG, Lab, consumer_lag
from tests.fault.load import Load, Tally, dead_letters, published


@dataclass
class Outcome:
    tally: Tally
    sent: int
    published_twice: int
    dead_letters: list[dict[str, str]]
    accepted: int
    server_errors: list[str]
    notes: list[str] = field(default_factory=list)

    def figures(self, faults_injected: int) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "faults_injected": faults_injected,
            "lost": self.tally.lost,
            "double_counted": self.tally.double_counted,
            "dead_letters": len(self.dead_letters),
            "commands_accepted": self.accepted,
            "notes": "; ".join(self.notes),
        }


async def wait_ready(lab: Lab, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=3) as http:
        for name, instance in lab.instances.items():
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{instance.url}/health/ready")).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{name} not ready after {within} s")
                await asyncio.sleep(0.2)


def spread(lab: Lab) -> Callable[[str], str]:
    """A URL of any running instance of the service, so every instance takes commands."""

    def url(service: str) -> str:
        urls = [i.url for i in lab.instances.values() if i.service == service]
        return random.choice(urls)

    return url


@contextlib.asynccontextmanager
async def under_load(lab: Lab) -> AsyncIterator[Load]:
    """Services running (restarted whenever they die, until the test ends), offerings
    ready and a load running for as long as the block lasts."""
    began = time.monotonic()
    for name in lab.instances:
        lab.start(name)
    await wait_ready(lab)
    _phase("services ready", began)
    stop = asyncio.Event()
    lab.supervise()
    load = Load(spread(lab))
    try:
        await load.prepare()
        _phase("offerings ready", began)
        # A steady load the consumers keep up with, so that what is measured is the faults.
        workers, pause = (2, 0.05) if LONG else (2, 0.1)
        running = asyncio.create_task(load.run(stop, workers=workers, pause=pause))
        try:
            yield load
        finally:
            stop.set()
            await running
            _phase("load ran", began)
    finally:
        stop.set()
        for name in lab.instances:
            lab.start(name)  # whatever the scenario left down
        await wait_ready(lab)


async def settle(lab: Lab, load: Load) -> Outcome:
    began = time.monotonic()
    try:
        # The long run leaves a backlog: the broker was down for half of it.
        within = 900 if LONG else 180
        tally = await load.settle(lambda: consumer_lag(lab.kafka_bootstrap), within=within)
        _phase(f"settled ({len(load.accepted)} commands)", began)
        ids = await published(lab.kafka_bootstrap)
        letters = await dead_letters(lab.kafka_bootstrap)
        _phase("read the topics", began)
    finally:
        await load.close()
    return Outcome(
        tally=tally,
        sent=len(ids),
        published_twice=sum(1 for n in ids.values() if n > 1),
        dead_letters=letters,
        accepted=len(load.accepted),
        server_errors=load.server_errors,
    )


async def every(seconds: float, times: int, fault: Callable[[int], Awaitable[None]]) -> int:
    for n in range(times):
        await asyncio.sleep(seconds)
        began = time.monotonic()
        await fault(n)
        _phase(f"fault {n + 1} of {times}", began)
    return times


def _phase(what: str, began: float) -> None:
    print(f"[fault] {what}: {time.monotonic() - began:.1f} s", flush=True)


def assert_exact(outcome: Outcome) -> None:
    assert outcome.accepted > 0, "the load made no commands"
    assert outcome.tally.exact, outcome.tally.problems[:20]
    assert outcome.server_errors == [], outcome.server_errors[:10]
