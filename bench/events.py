"""The events the benchmarks send: Completed, as the enrollment service publishes them."""

import asyncio
import random
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from contracts import Envelope, Event
from contracts.enrollment import Completed
from contracts.values import CompetenceDomain, OfferingKind, OfferingSnapshot
from services.shared.kafka_access import kafka_options, servers

Record = tuple[bytes, bytes, list[tuple[str, bytes]]]
SOURCE = "/huisacademie/enrollment"


def offerings(count: int = 20) -> list[OfferingSnapshot]:
    domains = list(CompetenceDomain)
    return [
        OfferingSnapshot(
            offering_id=uuid.uuid4(),
            title=f"Course {n}: reading didactics in groups 3-4",
            academy_id=uuid.uuid4(),
            academy_name="Academie De Linde",
            kind=OfferingKind.COURSE,
            study_hours=float(2 + n % 6),
            domains=(domains[n % len(domains)],),
            goal_tags=("reading", "formative_assessment"),
            first_session_on=date(2026, 9, 1) + timedelta(days=n),
        )
        for n in range(count)
    ]


def completions(count: int, *, seed: int = 6) -> Iterator[Envelope[Event]]:
    """`count` Completed events over count/5 staff members (five activities each)."""
    rng = random.Random(seed)
    catalogue = offerings()
    staff = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(max(1, count // 5))]
    for n in range(count):
        offering = catalogue[n % len(catalogue)]
        event = Completed(
            enrollment_id=uuid.UUID(int=rng.getrandbits(128)),
            staff_id=staff[n % len(staff)],
            offering=offering,
            completed_on=date(2026, 10, 1) + timedelta(days=n % 50),
            hours=offering.study_hours,
        )
        yield Envelope[Event].new(event, SOURCE)


def as_record(envelope: Envelope[Event]) -> Record:
    headers = [(k, v.encode()) for k, v in envelope.headers().items()]
    return envelope.data.key().encode(), envelope.body(), headers


FILLING = {"enable_idempotence": True, "linger_ms": 10, "max_batch_size": 512 * 1024}
"""How the benchmarks fill a topic before a measurement (not timed): in large batches."""


async def produce(bootstrap: str, topic: str, records: Sequence[Record], **settings: Any) -> None:
    """The records sent with `settings` (by default FILLING), all acknowledged."""
    producer = AIOKafkaProducer(
        bootstrap_servers=servers(bootstrap), **kafka_options(), **(settings or FILLING)
    )
    await producer.start()
    try:
        for start in range(0, len(records), 20_000):
            futures = [
                await producer.send(topic, value, key=key, headers=headers)
                for key, value, headers in records[start : start + 20_000]
            ]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
