"""End-to-end latency: a completion accepted over HTTP until the portfolio API shows it, at
a fixed rate, against Kafka's own produce-to-consume round trip at the same rate."""

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench import cpu, landed
from bench.http import Setup, board, enrolment, offering
from bench.people import People, Person
from huisacademie.system import System
from services.shared.kafka_access import kafka_options, servers

REST_S = 10
"""How long the stack's CPU at rest is measured, before the first phase."""
WINDOW_S = 10.0
"""The p99 is also given per window of this many seconds (by when completions were sent)."""


@dataclass(frozen=True)
class Phase:
    """Completions at one rate: each one's milliseconds from being sent, and from its HTTP
    answer, to the commit that made it visible in the portfolio's read model (the entry's
    commit time), and the CPU they cost, per completion and process."""

    rate: float
    sent_ms: list[float]
    answered_ms: list[float]
    windows_p99_ms: list[float]
    cpu_ms: dict[str, float]

    @property
    def system_cpu_ms(self) -> float:
        """Every process of the system: the services, PostgreSQL, Kafka, Keycloak."""
        return round(sum(v for k, v in self.cpu_ms.items() if k != cpu.CLIENT), 2)


async def completion_latencies(
    running: System, people: People, *, rates: Sequence[float], seconds: float, warmup: int
) -> tuple[list[Phase], Setup, dict[str, float]]:
    """A warm-up of `warmup` completions, then `seconds` of completions at each rate, each
    phase drained (every completion visible, asked once a second) before the next. Staff
    members of a new board, each signed in, enrol themselves in one offering per phase
    (not timed); the academy's administrator completes their enrollments; a sample read
    their own portfolio through the API. Also the CPU the stack spends at rest, in
    milliseconds a second per process (what every completion's figure includes for as long
    as its phase lasts)."""
    counts = [warmup, *(round(rate * seconds) for rate in rates)]
    crowd = await board(people, max(counts), name="e2e")
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    enr = running.url("enrollment")
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        offerings = [await offering(http, running, people, crowd, capacity=None) for _ in counts]
        began = time.perf_counter()
        signed = await people.sign_in(crowd.staff)
        setup = Setup(crowd.made, signed, time.perf_counter() - began)
        gate = asyncio.Semaphore(20)

        async def enrol(person: Person, offering_id: str) -> str:
            async with gate:
                made = await http.post(
                    f"{enr}/enrollments",
                    # One offering per phase, all on the same day: each person confirms
                    # the overlap, as the API asks.
                    json={**enrolment(offering_id), "confirm_overlap": True},
                    headers=await people.headers(person),
                )
            made.raise_for_status()
            return str(made.json()["enrollment_id"])

        enrolled = [
            await asyncio.gather(*(enrol(p, offering_id) for p in crowd.staff[:count]))
            for offering_id, count in zip(offerings, counts, strict=True)
        ]
    admin = crowd.academy_admin
    total_s = sum(counts) / min(rates) + 300
    await people.sign_in([admin], valid_for=total_s)  # none renewed while timed
    await _drained(running)
    at_rest = cpu.snapshot(running.layout, running.ports)
    await asyncio.sleep(REST_S)
    idle = cpu.per_unit_ms(at_rest, cpu.snapshot(running.layout, running.ports), REST_S)
    phases = []
    for n, (rate, enrollments) in enumerate(zip([rates[0], *rates], enrolled, strict=True)):
        await _drained(running)  # nothing of the setup or of the phase before still running
        phase = await _phase(running, people, admin, rate, crowd.staff, enrollments)
        if n > 0:  # the first is the warm-up
            phases.append(phase)
    return phases, setup, idle


async def _phase(
    running: System,
    people: People,
    admin: Person,
    rate: float,
    staff: Sequence[Person],
    enrollments: Sequence[str],
) -> Phase:
    enr = running.url("enrollment")
    sent: dict[str, tuple[float, float]] = {}  # enrollment id -> (sent, answered), wall clock
    before = cpu.snapshot(running.layout, running.ports)
    # The timed part with aiohttp: httpx's pool costs more CPU than the services with
    # hundreds of requests in flight, which would be measured instead of them.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:

        async def complete(enrollment: str) -> None:
            headers = await people.headers(admin)
            began = time.time()
            url = f"{enr}/enrollments/{enrollment}/complete"
            async with client.post(url, json={}, headers=headers) as done:
                done.raise_for_status()
            sent[enrollment] = (began, time.time())

        await _at_rate(rate, [complete(e) for e in enrollments])
        ids = [uuid.UUID(e) for e in enrollments]
        conn = await asyncpg.connect(running.database_urls["portfolio"])
        try:

            async def visible() -> bool:
                shown = await conn.fetchval(
                    "SELECT count(*) FROM entries"
                    " WHERE entry_id = ANY($1::uuid[]) AND status = 'completed'",
                    ids,
                )
                return bool(shown == len(ids))

            await landed.until(visible, f"{len(ids)} completions visible", 600)
            after = cpu.snapshot(running.layout, running.ports)
            rows = await conn.fetch(
                "SELECT entry_id::text AS id,"
                " extract(epoch FROM pg_xact_commit_timestamp(xmin))::float8 AS at"
                " FROM entries WHERE entry_id = ANY($1::uuid[])",
                ids,
            )
        finally:
            await conn.close()
        sample = list(zip(staff, enrollments, strict=False))[:: max(1, len(enrollments) // 20)]
        for person, enrollment in sample:  # the API shows what the table holds
            await _shown(client, running, people, person, enrollment)
    shown_at = {r["id"]: r["at"] for r in rows}
    began = min(s for s, _ in sent.values())
    by_window: dict[int, list[float]] = {}
    sent_ms, answered_ms = [], []
    for enrollment, (at_sent, at_answer) in sent.items():
        latency = (shown_at[enrollment] - at_sent) * 1000
        sent_ms.append(latency)
        answered_ms.append((shown_at[enrollment] - at_answer) * 1000)
        by_window.setdefault(int((at_sent - began) // WINDOW_S), []).append(latency)
    windows = [percentiles(by_window[w])["p99"] for w in sorted(by_window)]
    return Phase(
        rate, sent_ms, answered_ms, windows, cpu.per_unit_ms(before, after, len(enrollments))
    )


async def _drained(running: System) -> None:
    urls = list(running.database_urls.values())
    await landed.until(lambda: landed.drained(running.kafka_bootstrap, urls), "the stack", 600)


async def _shown(
    client: aiohttp.ClientSession,
    running: System,
    people: People,
    person: Person,
    enrollment: str,
) -> None:
    url = f"{running.url('portfolio')}/staff/{person.id}/portfolio"
    async with client.get(url, headers=await people.headers(person)) as response:
        response.raise_for_status()
        entries = (await response.json())["entries"]
    if not any(e["entry_id"] == enrollment and e["status"] == "completed" for e in entries):
        raise RuntimeError(f"the portfolio API does not show completion {enrollment}")


async def _at_rate(rate: float, jobs: list) -> list:  # type: ignore[type-arg]
    """Start one job every 1/rate seconds, on a fixed schedule (not after the last ends)."""
    began = time.perf_counter()
    tasks = []
    for n, job in enumerate(jobs):
        delay = began + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(job))
    return list(await asyncio.gather(*tasks))


async def kafka_round_trips(bootstrap: str, topic: str, *, rate: float, count: int) -> list[float]:
    """Milliseconds from producing a record (acks=all) to a consumer receiving it."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers(bootstrap), enable_auto_commit=False, **kafka_options()
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=servers(bootstrap), enable_idempotence=True, **kafka_options()
    )
    await consumer.start()
    await producer.start()
    sent: dict[bytes, float] = {}
    seen: list[float] = []
    try:
        await consumer._client.force_metadata_update()
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)

        async def receive() -> None:
            while len(seen) < count:
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.perf_counter()
                    seen.extend((now - sent[r.value]) * 1000 for r in records if r.value in sent)

        receiving = asyncio.create_task(receive())

        async def send(n: int) -> None:
            value = f"{n}-{uuid.uuid4()}".encode()
            sent[value] = time.perf_counter()
            await (await producer.send(topic, value, key=str(n % 100).encode()))

        await _at_rate(rate, [send(n) for n in range(count)])
        await asyncio.wait_for(receiving, 60)
        return seen
    finally:
        await producer.stop()
        await consumer.stop()


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 1)}
