"""Stored offsets (services/shared/consumer/offsets.py): a consumer left over from a
rebalance cannot store what the partition's new owner applied, and a consumer starts where
its database says, not where Kafka's committed offset is."""

import asyncio
import uuid
from collections.abc import Sequence

import asyncpg
import pytest
from aiokafka import TopicPartition

from contracts.enrollment import Completed
from services.shared.consumer import Applier, offsets
from services.shared.consumer.offsets import NOT_STORED, Move, Overtaken
from services.shared.db import Connection
from services.shared.unit_of_work import Database, UnitOfWork
from tests.support.consuming import consuming, effect_seen, record_effect
from tests.support.factories import completion
from tests.support.infra import Infrastructure
from tests.support.kafka import as_record, eventually, produce, read_all

pytestmark = pytest.mark.integration


def applier(
    pool: asyncpg.Pool,
    name: str,
    gate: asyncio.Event | None = None,
    entered: asyncio.Event | None = None,
) -> Applier:
    """Applies Completed events as visible effects; with a `gate`, says it has `entered`
    (its offsets moved, its effects written) and waits there before its commit."""

    async def apply(unit: UnitOfWork[Connection], events: Sequence[Completed]) -> None:
        for event in events:
            await record_effect(unit.store, event)
        if gate is not None and entered is not None:
            entered.set()
            await gate.wait()

    database = Database(pool, "/test", store=lambda conn: conn)
    return Applier(name, database, {Completed: apply})


async def effects(pool: asyncpg.Pool, staff_id: uuid.UUID) -> int:
    found: int = await pool.fetchval("SELECT count(*) FROM effects WHERE staff_id = $1", staff_id)
    return found


async def test_a_consumer_left_over_from_a_rebalance_cannot_store_its_batch(
    pool: asyncpg.Pool,
) -> None:
    name, tp = f"it-{uuid.uuid4().hex[:8]}", TopicPartition("it.offsets", 0)
    staff = uuid.uuid4()
    first = [completion(staff), completion(staff)]
    later = [completion(staff)]
    await applier(pool, name).apply_all(first, [Move(tp, NOT_STORED, 2)])

    # Both believe offset 2: the old owner, slow, holds its batch open; the new owner
    # applies the same record meanwhile, and waits for the old one's row lock.
    gate, entered = asyncio.Event(), asyncio.Event()
    old_owner = asyncio.create_task(
        applier(pool, name, gate, entered).apply_all(later, [Move(tp, 2, 3)])
    )
    await asyncio.wait_for(entered.wait(), 10)
    new_owner = asyncio.create_task(applier(pool, name).apply_all(later, [Move(tp, 2, 3)]))
    await asyncio.sleep(0.5)
    assert not new_owner.done()  # waiting on the stored offset's row
    gate.set()
    await old_owner
    with pytest.raises(Overtaken):
        await new_owner
    assert await effects(pool, staff) == 3  # the later record's effect once, not twice
    assert await offsets.stored(pool, name, [tp]) == {tp: 3}


async def test_a_consumer_starts_at_its_stored_offsets_not_at_kafkas(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    staff = uuid.uuid4()
    made = [completion(staff, hours=float(n + 1)) for n in range(5)]
    await produce(infrastructure.kafka_bootstrap, topic, [as_record(e) for e in made])
    group = f"it-{uuid.uuid4().hex[:8]}"
    [partition] = {
        r.partition
        for r in await read_all(infrastructure.kafka_bootstrap, topic)
        if r.key == str(staff).encode()
    }
    async with pool.acquire() as conn:  # as a rebuilt database would say: three are done
        await offsets.store(conn, group, {TopicPartition(topic, partition): 3})
    async with consuming(infrastructure, pool, topic, group=group):
        await eventually(effect_seen(pool, made[-1]))
    rows = await pool.fetch("SELECT hours FROM effects WHERE staff_id = $1", staff)
    assert sorted(float(r["hours"]) for r in rows) == [4.0, 5.0]
