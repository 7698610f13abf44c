"""Two relays of one service: each event is published once, in order per key, and when
the leading relay stops the other takes over."""

import asyncio
import contextlib
import uuid
from collections import Counter

import asyncpg
import pytest
from faststream.kafka import KafkaBroker

from services.shared import outbox
from services.shared.kafka_access import kafka_security
from services.shared.outbox import OutboxRelay
from tests.support.infra import Infrastructure
from tests.support.kafka import eventually, read_all
from tests.support.probe import PROBE_TOPIC, Probe

pytestmark = pytest.mark.integration


async def _write(pool: asyncpg.Pool, run: uuid.UUID, numbers: range) -> list[uuid.UUID]:
    ids = []
    for n in numbers:
        async with pool.acquire() as conn, conn.transaction():
            [env] = await outbox.put(conn, "/test", [Probe(run=run, n=n)])
            ids.append(env.id)
    return ids


async def _all_sent(pool: asyncpg.Pool, ids: list[uuid.UUID]) -> bool:
    unsent = await pool.fetchval(
        "SELECT count(*) FROM outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL",
        ids,
    )
    return bool(unsent == 0)


async def test_two_relays_publish_each_event_once_in_order(
    pool: asyncpg.Pool, plumbing_db: str, infrastructure: Infrastructure
) -> None:
    brokers = [
        KafkaBroker(
            infrastructure.kafka_bootstrap, enable_idempotence=True, security=kafka_security()
        )
        for _ in "ab"
    ]
    for broker in brokers:
        await broker.start()
    relays = [OutboxRelay(pool, b, plumbing_db, batch_size=7, poll_interval=0.2) for b in brokers]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    run = uuid.uuid4()
    try:
        ids = await _write(pool, run, range(60))
        await eventually(lambda: _all_sent(pool, ids))
        # The leader goes away; the other relay must take over.
        leader = next(i for i, r in enumerate(relays) if r._leading)
        tasks[leader].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tasks[leader]
        later = await _write(pool, run, range(60, 80))
        await eventually(lambda: _all_sent(pool, later))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for broker in brokers:
            await broker.stop()

    records = [
        r
        for r in await read_all(infrastructure.kafka_bootstrap, PROBE_TOPIC)
        if r.key == str(run).encode()
    ]
    numbers = [Probe.model_validate_json(r.value).n for r in records]
    assert numbers == list(range(80))
    ce_ids = Counter(dict(r.headers)["ce_id"].decode() for r in records)
    assert set(ce_ids) == {str(i) for i in ids + later}
    assert max(ce_ids.values()) == 1
