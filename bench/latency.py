"""End-to-end latency: a completion accepted over HTTP until the portfolio API shows it, at
a fixed rate, against Kafka's own produce-to-consume round trip at the same rate."""

import asyncio
import time
import uuid

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.http import offering, staff
from huisacademie.system import System


async def completion_latencies(running: System, *, rate: float, count: int) -> list[float]:
    """Milliseconds from sending each completion to the portfolio showing it."""
    enr, por = running.url("enrollment"), running.url("portfolio")
    board = str(uuid.uuid4())
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        offering_id = await offering(http, running, capacity=None, board=board)
        people = [staff(board) for _ in range(count)]
        gate = asyncio.Semaphore(20)

        async def enrol(person: dict[str, str]) -> str:
            async with gate:
                made = await http.post(
                    f"{enr}/enrollments", json={**person, "offering_id": offering_id}
                )
            made.raise_for_status()
            return str(made.json()["enrollment_id"])

        enrollments = await asyncio.gather(*(enrol(p) for p in people))

        pending: dict[str, float] = {}  # staff id -> when its completion was sent
        seen: list[float] = []

        async def complete(person: dict[str, str], enrollment: str) -> None:
            began = time.perf_counter()
            done = await http.post(f"{enr}/enrollments/{enrollment}/complete", json={})
            done.raise_for_status()
            pending[person["staff_id"]] = began

        async def visible(staff_id: str) -> None:
            url = f"{por}/staff/{staff_id}/portfolio"
            entries = (await http.get(url)).json()["entries"]
            if entries and entries[0]["status"] == "completed":
                seen.append((time.perf_counter() - pending.pop(staff_id)) * 1000)

        async def watch() -> None:
            # A few probes at a time, oldest first: polling every waiting completion at
            # once would load the portfolio more than the completions do.
            while len(seen) < count:
                oldest = sorted(pending, key=pending.__getitem__)[:8]
                await asyncio.gather(*(visible(s) for s in oldest))
                await asyncio.sleep(0.002)

        watching = asyncio.create_task(watch())
        await _at_rate(rate, [complete(p, e) for p, e in zip(people, enrollments, strict=True)])
        await asyncio.wait_for(watching, 600)
        return seen


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
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
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
