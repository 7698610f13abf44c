"""What a consumer does when applying an event fails: a failure that passes is retried, one
that does not is dead-lettered after the retry budget, a bad event at once, a record with
unreadable headers too. In every case the consumer goes on and nothing is applied twice.
(A real database outage, waited out without spending the budget, is in tests/fault.)"""

import uuid
from collections import Counter

import asyncpg
import pytest
from aiokafka import ConsumerRecord

from contracts.enrollment import Completed
from contracts.topics import dead_letter
from services.shared.db import Connection
from tests.support.consuming import consuming, effect_seen, record_effect
from tests.support.factories import completion
from tests.support.infra import Infrastructure
from tests.support.kafka import as_record, eventually, produce, read_all, read_at_least

pytestmark = pytest.mark.integration


async def test_a_failure_that_passes_is_retried_and_nothing_is_dead_lettered(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    calls: Counter[uuid.UUID] = Counter()

    async def flaky(conn: Connection, event: Completed) -> None:
        calls[event.enrollment_id] += 1
        if calls[event.enrollment_id] <= 3:
            raise ConnectionRefusedError("database restarting")
        await record_effect(conn, event)

    staff = uuid.uuid4()
    first, second = completion(staff, hours=1.0), completion(staff, hours=2.0)
    await produce(infrastructure.kafka_bootstrap, topic, [as_record(first), as_record(second)])
    async with consuming(infrastructure, pool, topic, flaky):
        await eventually(effect_seen(pool, second), within=30)
    rows = await pool.fetch("SELECT hours FROM effects WHERE staff_id = $1", staff)
    assert [float(r["hours"]) for r in rows] == [1.0, 2.0]
    assert list(calls.values()) == [4, 4]
    assert await read_all(infrastructure.kafka_bootstrap, dead_letter(topic)) == []


async def test_a_timeout_that_does_not_pass_is_dead_lettered_after_the_retry_budget(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    stuck, good = completion(uuid.uuid4(), hours=7.0), completion(uuid.uuid4(), hours=1.0)
    tries: Counter[uuid.UUID] = Counter()

    async def hangs_on_sevens(conn: Connection, event: Completed) -> None:
        if event.hours == 7.0:
            tries[event.enrollment_id] += 1
            raise TimeoutError("statement timed out")  # while the database answers
        await record_effect(conn, event)

    await produce(infrastructure.kafka_bootstrap, topic, [as_record(stuck), as_record(good)])

    async def dead_letters() -> list[ConsumerRecord[bytes, bytes]]:
        return await read_all(infrastructure.kafka_bootstrap, dead_letter(topic))

    async with consuming(infrastructure, pool, topic, hangs_on_sevens, max_attempts=3):
        await eventually(effect_seen(pool, good), within=30)
        [letter] = await eventually(dead_letters, within=30)
    headers = {k: v.decode() for k, v in letter.headers}
    assert headers["ce_id"] == str(stuck.id)
    assert (headers["dlt_exception"], headers["dlt_attempts"]) == ("TimeoutError", "3")
    assert headers["dlt_original_topic"] == topic
    assert {"dlt_original_partition", "dlt_original_offset", "dlt_time"} <= headers.keys()
    assert list(tries.values()) == [4], "once in its batch, then three times on its own"


async def test_an_event_that_cannot_be_applied_is_dead_lettered_and_the_next_applied(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    poison, good = completion(uuid.uuid4(), hours=9.0), completion(uuid.uuid4(), hours=1.0)

    async def refuse_nines(conn: Connection, event: Completed) -> None:
        if event.hours == 9.0:
            raise ValueError("nine hours is not a thing here")
        await record_effect(conn, event)

    await produce(infrastructure.kafka_bootstrap, topic, [as_record(poison), as_record(good)])
    async with consuming(infrastructure, pool, topic, refuse_nines):
        await eventually(effect_seen(pool, good))
        [letter] = await read_at_least(infrastructure.kafka_bootstrap, dead_letter(topic), 1)
    headers = {k: v.decode() for k, v in letter.headers}
    assert headers["ce_id"] == str(poison.id)
    assert headers["dlt_exception"] == "ValueError"
    assert "nine hours" in headers["dlt_reason"]
    assert headers["dlt_attempts"] == "1"


async def test_records_with_unreadable_headers_are_dead_lettered(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    staff = uuid.uuid4()
    key, body, headers = as_record(completion(staff))
    good = completion(staff)
    raw = [(k, v.encode()) for k, v in headers.items()]
    not_utf8 = [(k, b"\xff\xfe" if k == "ce_type" else v) for k, v in raw]
    null_value = [(k, None if k == "ce_id" else v) for k, v in raw]
    await produce(
        infrastructure.kafka_bootstrap,
        topic,
        [(key, body, not_utf8), (key, body, null_value), as_record(good)],
    )
    async with consuming(infrastructure, pool, topic):
        await eventually(effect_seen(pool, good))
        # Dead-lettered after the batch's readable events are applied: perhaps not yet.
        letters = await read_at_least(infrastructure.kafka_bootstrap, dead_letter(topic), 2)
    reasons = [dict(r.headers)["dlt_reason"].decode() for r in letters]
    assert len(reasons) == 2
    assert "unknown event type" in reasons[0]
    assert "missing CloudEvents headers: ce_id" in reasons[1]
