"""End-to-end latency: a completion accepted over HTTP until the portfolio API shows it, at
a fixed rate, against Kafka's own produce-to-consume round trip at the same rate."""

import asyncio
import time
import uuid

import aiohttp
import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.http import Setup, board, enrolment, offering
from bench.people import People, Person
from huisacademie.system import System
from services.shared.kafka_access import kafka_options


async def completion_latencies(
    running: System, people: People, *, rate: float, count: int
) -> tuple[list[float], Setup]:
    """Milliseconds from sending each completion to the portfolio showing it; and what its
    people took to make and sign in. `count` staff members of a new board, each signed in,
    enrol themselves (not timed); the academy's administrator completes their enrollments;
    a sample of them read their own portfolio."""
    enr, por = running.url("enrollment"), running.url("portfolio")
    crowd = await board(people, count, name="e2e")
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        offering_id = await offering(http, running, people, crowd, capacity=None)
        began = time.perf_counter()
        signed = await people.sign_in(crowd.staff)
        setup = Setup(crowd.made, signed, time.perf_counter() - began)
        gate = asyncio.Semaphore(20)

        async def enrol(person: Person) -> str:
            async with gate:
                made = await http.post(
                    f"{enr}/enrollments",
                    json=enrolment(offering_id),
                    headers=await people.headers(person),
                )
            made.raise_for_status()
            return str(made.json()["enrollment_id"])

        enrollments = await asyncio.gather(*(enrol(p) for p in crowd.staff))

    admin = crowd.academy_admin
    await people.sign_in([admin], valid_for=count / rate + 120)  # none renewed while timed
    pending: dict[str, float] = {}  # staff id -> when its completion was sent
    seen: list[float] = []
    # The timed part with aiohttp: httpx's pool costs more CPU than the services with
    # hundreds of requests in flight, which would be measured instead of them.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:

        async def complete(person: Person, enrollment: str) -> None:
            headers = await people.headers(admin)
            began = time.perf_counter()
            url = f"{enr}/enrollments/{enrollment}/complete"
            async with client.post(url, json={}, headers=headers) as done:
                done.raise_for_status()
            pending[person.id] = began

        async def watch() -> None:
            # Visibility is read where the portfolio API reads it, its entries table, for
            # every waiting completion in one query every 5 ms: polling the API itself for
            # 200 completions a second loaded the portfolio more than the completions did,
            # and the probe's own sweep became the latency measured.
            conn = await asyncpg.connect(running.database_urls["portfolio"])
            try:
                while len(seen) < count:
                    waiting = [uuid.UUID(s) for s in pending]
                    rows = await conn.fetch(
                        "SELECT staff_id FROM entries"
                        " WHERE staff_id = ANY($1::uuid[]) AND status = 'completed'",
                        waiting,
                    )
                    now = time.perf_counter()
                    for row in rows:
                        seen.append((now - pending.pop(str(row["staff_id"]))) * 1000)
                    await asyncio.sleep(0.005)
            finally:
                await conn.close()

        watching = asyncio.create_task(watch())
        staff = crowd.staff
        await _at_rate(rate, [complete(p, e) for p, e in zip(staff, enrollments, strict=True)])
        await asyncio.wait_for(watching, 600)
        for person in staff[:: max(1, count // 20)]:  # the API shows what the table holds
            url = f"{por}/staff/{person.id}/portfolio"
            async with client.get(url, headers=await people.headers(person)) as response:
                response.raise_for_status()
                entries = (await response.json())["entries"]
            if not entries or entries[0]["status"] != "completed":
                raise RuntimeError(f"the portfolio API does not show {person.id}")
        return seen, setup


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
        bootstrap_servers=bootstrap, enable_auto_commit=False, **kafka_options()
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, **kafka_options()
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
