"""Running one fault scenario: services up, a steady load, faults alongside, then the
settled read models compared with every accepted command."""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from contracts.enrollment import Completed, Enrolled, EnrollmentCancelled
from tests.fault.lab import LONG, Lab, consumer_lag
from tests.fault.ledger import Topics, check_ledgers, dead_letters, read_topics
from tests.fault.load import Load, Tally
from tests.support.seeds import seeded


@dataclass
class Outcome:
    tallies: tuple[Tally, Tally]
    """Two tallies of everything, a few seconds apart, once nothing was in flight."""
    topics: Topics
    checked: Counter[str]
    """Events checked one by one, per consumer."""
    dead_letters: list[dict[str, str]]
    accepted: int
    rounds: int
    server_errors: list[str]
    deaths: Counter[str]
    notes: list[str] = field(default_factory=list)

    @property
    def tally(self) -> Tally:
        return self.tallies[1]

    @property
    def sent(self) -> int:
        return len(self.topics.copies)

    @property
    def published_twice(self) -> int:
        return sum(1 for n in self.topics.copies.values() if n > 1)

    def figures(self, faults_injected: int) -> dict[str, Any]:
        kinds = self.topics.of_type(Enrolled, EnrollmentCancelled, Completed)
        return {
            "sent": self.sent,
            "faults_injected": faults_injected,
            "lost": self.tally.lost,
            "double_counted": self.tally.double_counted,
            "dead_letters": len(self.dead_letters),
            "commands_accepted": self.accepted,
            "rounds": self.rounds,
            "events_checked": dict(sorted(self.checked.items())),
            "enrollment_events": dict(sorted(kinds.items())),
            "deaths": dict(sorted(self.deaths.items())),
            "notes": "; ".join(self.notes),
        }


async def wait_ready(lab: Lab, within: float = 120.0) -> None:
    """Until every instance takes requests and its consumers hold their partitions."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=3) as http:
        for name, instance in lab.instances.items():
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{instance.url}/health")).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{name} not ready after {within} s")
                await asyncio.sleep(0.2)


def spread(lab: Lab) -> Callable[[str], str]:
    """A URL of any running instance of the service, so every instance takes commands."""

    rng = seeded("fault load: instances")

    def url(service: str) -> str:
        urls = [i.url for i in lab.instances.values() if i.service == service]
        return rng.choice(urls)

    return url


@contextlib.asynccontextmanager
async def under_load(lab: Lab) -> AsyncIterator[Load]:
    """Services running (restarted whenever they die, until the test ends), offerings
    ready and a load running for as long as the block lasts."""
    began = time.monotonic()
    for name in lab.instances:
        lab.start(name)
    lab.supervise()  # from the start: a failpoint may end a process before it is ready
    await wait_ready(lab)
    _phase("services ready", began)
    stop = asyncio.Event()
    load = Load(spread(lab), lab.people)
    try:
        await load.prepare()
        _phase("offerings ready", began)
        # A steady load the consumers keep up with, so that what is measured is the faults.
        workers, pause = (2, 0.05) if LONG else (2, 0.1)
        running = asyncio.create_task(load.run(stop, workers=workers, pause=pause, rounds=1))
        try:
            yield load
        finally:
            stop.set()
            await running
            _phase("load ran", began)
    finally:
        stop.set()
        for name in sorted(lab.held):  # what the scenario stopped and left down; the
            lab.start(name)  # supervisor restarts (and counts) the ones that died
        await wait_ready(lab)


async def settle(lab: Lab, load: Load) -> Outcome:
    """Wait until every instance's outbox is empty and every consumer group has read to the
    end, then tally everything twice, a few seconds apart."""
    began = time.monotonic()
    try:
        # The long run leaves a backlog: the broker was down for half of it.
        await quiet(lab, within=900 if LONG else 180)
        _phase(f"quiet ({len(load.accepted)} commands)", began)
        first, _, _ = await tally(lab, load)
        await asyncio.sleep(3)
        second, topics, checked = await tally(lab, load)
        letters = await dead_letters(lab.kafka_bootstrap)
        _phase("tallied twice", began)
    finally:
        await load.close()
    return Outcome(
        tallies=(first, second),
        topics=topics,
        checked=checked,
        dead_letters=letters,
        accepted=len(load.accepted),
        rounds=len(load.rounds),
        server_errors=load.server_errors,
        deaths=Counter(lab.deaths),
    )


async def quiet(lab: Lab, within: float) -> None:
    deadline = time.monotonic() + within
    while True:
        backlog, lag = await backlogs(lab), await consumer_lag(lab.kafka_bootstrap)
        if backlog == {"pending": 0, "parked": 0} and lag == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not quiet after {within} s: outbox {backlog}, lag {lag}")
        print(f"[fault] outbox {backlog}, lag {lag}", flush=True)
        await asyncio.sleep(1)


async def backlogs(lab: Lab) -> dict[str, int] | None:
    """The outbox backlog every instance reports, added up; None while one does not answer."""
    total: Counter[str] = Counter({"pending": 0, "parked": 0})
    async with httpx.AsyncClient(timeout=5) as http:
        for instance in lab.instances.values():
            try:
                ready = await http.get(f"{instance.url}/health/ready")
            except httpx.HTTPError:
                return None
            if ready.status_code != 200:
                return None
            total.update(ready.json()["outbox_backlog"])
    return dict(total)


async def tally(lab: Lab, load: Load) -> tuple[Tally, Topics, Counter[str]]:
    """What the client was told against every read model, and every event on the topics
    against every consumer's own record of what it applied."""
    checked = await load.tally(lab.database_urls)
    topics = await read_topics(lab.kafka_bootstrap)
    applied = await check_ledgers(topics, lab.database_urls, checked)
    return checked, topics, applied


async def every(seconds: float, times: int, fault: Callable[[int], Awaitable[None]]) -> int:
    for n in range(times):
        await asyncio.sleep(seconds)
        began = time.monotonic()
        await fault(n)
        _phase(f"fault {n + 1} of {times}", began)
    return times


def _phase(what: str, began: float) -> None:
    print(f"[fault] {what}: {time.monotonic() - began:.1f} s", flush=True)


def assert_exact(outcome: Outcome, *, deaths: int = 0) -> None:
    """Both tallies exact, every kind of work done, and no process died beyond the `deaths`
    the scenario caused."""
    assert outcome.accepted > 0 and outcome.rounds > 0, "the load made no commands"
    first, second = outcome.tallies
    assert first.exact, first.problems[:20]
    assert second.exact, second.problems[:20]
    assert outcome.server_errors == [], outcome.server_errors[:10]
    kinds = outcome.topics.of_type(Enrolled, EnrollmentCancelled, Completed)
    assert set(kinds) == {"Enrolled", "EnrollmentCancelled", "Completed"}, kinds
    assert outcome.checked["catalogue.seats"] > 0 and outcome.checked["portfolio.enrollments"] > 0
    assert outcome.deaths.total() == deaths, f"deaths {dict(outcome.deaths)}, caused {deaths}"
