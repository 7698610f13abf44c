"""The outbox relay publishes exactly the committed events, in order per key."""

import asyncio
import contextlib
import uuid
from typing import Any

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


class Rollback(Exception):
    pass


async def _probes_of(bootstrap: str, run: uuid.UUID) -> list[tuple[int, str]]:
    records = await read_all(bootstrap, PROBE_TOPIC)
    mine = [r for r in records if r.key == str(run).encode()]
    return [(Probe.model_validate_json(r.value).n, dict(r.headers)["ce_id"].decode()) for r in mine]


async def _drain(pool: asyncpg.Pool, database_url: str, infra: Infrastructure) -> OutboxRelay:
    """Publish batches until none is left; returns the relay."""
    broker = KafkaBroker(infra.kafka_bootstrap, enable_idempotence=True, security=kafka_security())
    await broker.start()
    try:
        relay = OutboxRelay(pool, broker, database_url)
        while await relay.publish_pending():
            pass
        assert await relay.publish_pending() == 0
        return relay
    finally:
        await broker.stop()


async def test_relay_publishes_exactly_the_committed_events(
    pool: asyncpg.Pool, plumbing_db: str, infrastructure: Infrastructure
) -> None:
    run = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        committed = await outbox.put(conn, "/test", [Probe(run=run, n=n) for n in range(5)])
    with contextlib.suppress(Rollback):
        async with pool.acquire() as conn, conn.transaction():
            await outbox.put(conn, "/test", [Probe(run=run, n=n) for n in (100, 101)])
            raise Rollback

    relay = await _drain(pool, plumbing_db, infrastructure)
    assert (await relay.backlog())["pending"] == 0

    published = await _probes_of(infrastructure.kafka_bootstrap, run)
    assert published == [(n, str(env.id)) for n, env in enumerate(committed)]
    unsent = await pool.fetchval(
        "SELECT count(*) FROM outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL",
        [env.id for env in committed],
    )
    assert unsent == 0


class WatchedRelay(OutboxRelay):
    """A relay that says when it has drained what was there and waits, leading (and so
    listening: it LISTENs before it tries to lead)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = asyncio.Event()

    async def _sleep(self, seconds: float) -> None:
        if self._leading and not self._stopping:
            self.waiting.set()
        await super()._sleep(seconds)


async def test_relay_wakes_on_commit_not_on_its_timer(
    pool: asyncpg.Pool, plumbing_db: str, infrastructure: Infrastructure
) -> None:
    broker = KafkaBroker(
        infrastructure.kafka_bootstrap, enable_idempotence=True, security=kafka_security()
    )
    await broker.start()
    # A poll interval far longer than the test: only NOTIFY can wake the relay in time.
    relay = WatchedRelay(pool, broker, plumbing_db, poll_interval=600)
    task = asyncio.create_task(relay.run())
    try:
        # Committed before the relay drained, the event would go out without NOTIFY.
        async with asyncio.timeout(15):
            await relay.waiting.wait()
        run = uuid.uuid4()
        async with pool.acquire() as conn, conn.transaction():
            [env] = await outbox.put(conn, "/test", [Probe(run=run, n=1)])

        async def sent() -> bool:
            return bool(
                await pool.fetchval(
                    "SELECT published_at IS NOT NULL FROM outbox WHERE event_id = $1", env.id
                )
            )

        await eventually(sent, within=15)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await broker.stop()
    assert await _probes_of(infrastructure.kafka_bootstrap, run) == [(1, str(env.id))]


async def test_an_event_kafka_refuses_is_parked_and_the_rest_still_flow(
    pool: asyncpg.Pool, plumbing_db: str, infrastructure: Infrastructure
) -> None:
    run = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        envs = await outbox.put(
            conn,
            "/test",
            [
                Probe(run=run, n=0),
                Probe(run=run, n=1, padding="x" * 2_000_000),
                Probe(run=run, n=2),
            ],
        )
    backlog = await (await _drain(pool, plumbing_db, infrastructure)).backlog()
    assert [n for n, _ in await _probes_of(infrastructure.kafka_bootstrap, run)] == [0, 2]
    parked = await pool.fetchrow(
        "SELECT published_at, parked_at, park_reason FROM outbox WHERE event_id = $1", envs[1].id
    )
    assert parked is not None
    assert parked["published_at"] is None and parked["parked_at"] is not None
    assert "MessageSizeTooLarge" in parked["park_reason"]
    assert backlog["parked"] >= 1


async def test_pruning_forgets_old_published_rows_and_parked_rows_past_their_retention(
    pool: asyncpg.Pool, plumbing_db: str, infrastructure: Infrastructure
) -> None:
    run = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        made = await outbox.put(conn, "/test", [Probe(run=run, n=n) for n in range(5)])
    ids = [env.id for env in made]
    ages = [  # (published days ago, parked days ago)
        (8, None),  # published past its week: goes
        (6, None),  # published within its week: stays
        (None, 31),  # parked past its 30 days, unseen to: goes
        (None, 29),  # parked within its 30 days: stays
        (None, None),  # waiting: stays
    ]
    for event_id, (published, parked) in zip(ids, ages, strict=True):
        await pool.execute(
            "UPDATE outbox SET published_at = now() - make_interval(days => $2),"
            " parked_at = now() - make_interval(days => $3) WHERE event_id = $1",
            event_id, published, parked,
        )  # fmt: skip
    relay = OutboxRelay(pool, KafkaBroker(infrastructure.kafka_bootstrap), plumbing_db)

    assert await relay.prune() >= 2
    left = await pool.fetch("SELECT event_id FROM outbox WHERE event_id = ANY($1::uuid[])", ids)
    assert {r["event_id"] for r in left} == {ids[1], ids[3], ids[4]}
