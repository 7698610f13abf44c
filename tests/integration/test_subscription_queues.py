"""The subscriptions service's queues on real PostgreSQL: events fanned out through its
consumer, deliveries taken and recorded as its worker does. One delivery of a key in
flight, in order; a cap per subscription; backoff, failing and resuming; a lease that runs
out; an erasure that reaches whoever had the person's events and voids their statements."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from faststream.kafka import KafkaBroker

from contracts import Envelope, Event
from contracts.privacy import PersonErased
from contracts.values import Employer
from services.shared.clock import now
from services.shared.consumer import EventConsumer
from services.shared.kafka_access import kafka_security
from services.subscriptions.app import DEFINITION
from services.subscriptions.domain.wanted import Format, types_asked
from services.subscriptions.handlers import HANDLERS, SUBSCRIPTIONS
from services.subscriptions.store import DeliveryStore, Store
from services.subscriptions.store.deliveries import Due, Outcome
from services.subscriptions.store.subscriptions import Subscription
from tests.support.factories import ENROLLMENT_SOURCE, completion, enrolled
from tests.support.infra import Infrastructure, service_database

pytestmark = pytest.mark.integration
LEASE = timedelta(seconds=30)


@pytest.fixture
async def pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_subscriptions", DEFINITION) as made:
        yield made


@pytest.fixture
def consumer(pool: asyncpg.Pool, infrastructure: Infrastructure) -> EventConsumer:
    broker = KafkaBroker(infrastructure.kafka_bootstrap, security=kafka_security())
    return EventConsumer(SUBSCRIPTIONS[0].group, DEFINITION.database(pool), broker, HANDLERS)


async def _subscribe(
    pool: asyncpg.Pool, board: uuid.UUID, format: Format = Format.WEBHOOK
) -> uuid.UUID:
    made = now()
    subscription = Subscription(
        uuid.uuid4(), board, frozenset(), "http://127.0.0.1:9/hooks", format,
        types_asked(format, []), "", "active", None, made, "test", made, made,
    )  # fmt: skip
    async with pool.acquire() as conn:
        await Store(conn).add(subscription, "whsec_" + "QUJD" * 8, None)
    return subscription.id


def _employed(event: Event, board: uuid.UUID) -> Envelope[Event]:
    data = event.model_copy(update={"employer": Employer(board_id=board)})
    return Envelope[Event].new(data, ENROLLMENT_SOURCE)


async def _take(
    pool: asyncpg.Pool, most: int = 10, per: int = 10, lease: timedelta = LEASE
) -> list[Due]:
    async with pool.acquire() as conn:
        return await DeliveryStore(conn).take(most, per, lease)


async def _record(
    pool: asyncpg.Pool, due: Due, retry: timedelta | None = None, status: int = 204
) -> None:
    outcome = Outcome(due.id, due.subscription_id, due.key, due.lease, now(), status,
                      None if retry is None else f"answered HTTP {status}", 1.0, retry)  # fmt: skip
    async with pool.acquire() as conn:
        await DeliveryStore(conn).record(outcome)


async def test_one_delivery_of_a_person_in_flight_at_a_time_in_order(
    pool: asyncpg.Pool, consumer: EventConsumer
) -> None:
    board, one, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await _subscribe(pool, board)
    first, second = enrolled(staff_id=one), completion(one).data
    for event in (first, second, enrolled(staff_id=other)):
        assert await consumer.apply(_employed(event, board))
    taken = await _take(pool)
    assert sorted(d.key for d in taken) == sorted([str(one), str(other)])
    mine = next(d for d in taken if d.key == str(one))
    assert mine.event.type == first.ce_type
    assert await _take(pool) == []  # both keys in flight: nothing more
    await _record(pool, mine)
    [then] = await _take(pool)
    assert then.key == str(one) and then.event.type == second.ce_type


async def test_a_subscription_has_no_more_in_flight_than_its_share(
    pool: asyncpg.Pool, consumer: EventConsumer
) -> None:
    board = uuid.uuid4()
    await _subscribe(pool, board)
    for _ in range(5):
        await consumer.apply(_employed(enrolled(), board))
    assert len(await _take(pool, per=2)) == 2
    assert await _take(pool, per=2) == []  # two in flight already


async def test_a_failure_waits_is_marked_failing_and_resumes(
    pool: asyncpg.Pool, consumer: EventConsumer
) -> None:
    board = uuid.uuid4()
    subscription = await _subscribe(pool, board)
    await consumer.apply(_employed(enrolled(), board))
    [due] = await _take(pool)
    await _record(pool, due, retry=timedelta(hours=1), status=500)
    assert await _take(pool) == []  # backing off
    async with pool.acquire() as conn:
        marked = await DeliveryStore(conn).mark_failing(timedelta(0))
        assert marked == [(subscription, "answered HTTP 500")]
        await Store(conn).set_status(subscription, "active")
    [again] = await _take(pool)
    assert again.id == due.id and again.attempts == 2


async def test_a_lease_run_out_is_taken_again_and_the_first_outcome_ignored(
    pool: asyncpg.Pool, consumer: EventConsumer
) -> None:
    board = uuid.uuid4()
    await _subscribe(pool, board)
    await consumer.apply(_employed(enrolled(), board))
    [first] = await _take(pool, lease=timedelta(milliseconds=50))
    await asyncio.sleep(0.2)
    [second] = await _take(pool)
    assert second.id == first.id and second.lease != first.lease
    await _record(pool, first)  # the attempt that lost its lease: not recorded
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval("SELECT delivered_at FROM deliveries WHERE id = $1", first.id)
            is None
        )
    await _record(pool, second)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT delivered_at FROM deliveries WHERE id = $1", first.id)


async def test_an_erasure_reaches_who_had_the_person_and_voids_their_statements(
    pool: asyncpg.Pool, consumer: EventConsumer
) -> None:
    board, person = uuid.uuid4(), uuid.uuid4()
    lrs = await _subscribe(pool, board, Format.XAPI)
    done = _employed(completion(person).data, board)
    await consumer.apply(done)
    [due] = await _take(pool)
    await _record(pool, due)
    # Erased by the retention job: the directory no longer knows whom they worked for.
    erased = PersonErased(staff_id=person, erased_at=datetime.now(UTC))
    await consumer.apply(Envelope[Event].new(erased, "/huisacademie/portfolio"))
    [voiding] = await _take(pool)
    assert voiding.subscription_id == lrs and voiding.event.type == erased.ce_type
    assert voiding.voids == (done.id,)
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM recipients WHERE staff_id = $1", person) == 0
        )
        late = _employed(enrolled(staff_id=person), board)
        assert await consumer.apply(late)  # applied: kept and queued for no one
        assert await conn.fetchval("SELECT count(*) FROM events WHERE event_id = $1", late.id) == 0
