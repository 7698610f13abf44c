"""The catalogue's seats projection on real PostgreSQL, through the consumer and its inbox;
and programmes and audit moves stored with their events in the outbox."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from faststream.kafka import KafkaBroker

from contracts import Envelope, Event
from contracts.enrollment import CancelledFrom, Completed, EnrollmentCancelled, NotCompleted
from contracts.values import AuditRole, AuditTeamMember
from services.catalogue.app import DEFINITION
from services.catalogue.handlers import HANDLERS, SUBSCRIPTIONS
from services.shared.consumer import EventConsumer
from services.shared.errors import CommandRejected, NotFound
from services.shared.kafka_access import kafka_security
from tests.support.catalogue import Catalogue
from tests.support.factories import ENROLLMENT_SOURCE, enrolled, snapshot
from tests.support.infra import Infrastructure, service_database

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def catalogue_pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_catalogue_seats", DEFINITION) as pool:
        yield pool


@pytest.fixture
def consumer(catalogue_pool: asyncpg.Pool, infrastructure: Infrastructure) -> EventConsumer:
    # The broker is never started: apply() only needs the pool.
    broker = KafkaBroker(infrastructure.kafka_bootstrap, security=kafka_security())
    database = DEFINITION.database(catalogue_pool)
    return EventConsumer(SUBSCRIPTIONS[0].group, database, broker, HANDLERS, max_attempts=3)


def envelope(event: Event) -> Envelope[Event]:
    return Envelope[Event].new(event, ENROLLMENT_SOURCE)


def cancelled(staff_id: uuid.UUID, offering_id: uuid.UUID, came_from: CancelledFrom) -> Event:
    return EnrollmentCancelled(
        enrollment_id=uuid.uuid4(),
        staff_id=staff_id,
        offering=snapshot(offering_id=offering_id),
        cancelled_from=came_from,
        cancelled_at=NOW,
    )


async def taken(pool: asyncpg.Pool, offering_id: uuid.UUID) -> int | None:
    value: int | None = await pool.fetchval(
        "SELECT taken FROM seats WHERE offering_id = $1", offering_id
    )
    return value


async def test_enrollments_take_seats_and_cancellations_from_enrolled_free_them(
    consumer: EventConsumer, catalogue_pool: asyncpg.Pool
) -> None:
    offering = uuid.uuid4()
    people = [uuid.uuid4() for _ in range(3)]
    for person in people:
        assert await consumer.apply(envelope(enrolled(staff_id=person, offering_id=offering)))
    assert await taken(catalogue_pool, offering) == 3
    assert await consumer.apply(envelope(cancelled(people[0], offering, CancelledFrom.ENROLLED)))
    assert await taken(catalogue_pool, offering) == 2
    for came_from in (CancelledFrom.WAITLISTED, CancelledFrom.REQUESTED, CancelledFrom.INTERESTED):
        assert await consumer.apply(envelope(cancelled(uuid.uuid4(), offering, came_from)))
    assert await taken(catalogue_pool, offering) == 2


async def test_completion_either_way_keeps_the_seat(
    consumer: EventConsumer, catalogue_pool: asyncpg.Pool
) -> None:
    offering, person = uuid.uuid4(), uuid.uuid4()
    await consumer.apply(envelope(enrolled(staff_id=person, offering_id=offering)))
    done = Completed(
        enrollment_id=uuid.uuid4(),
        staff_id=person,
        offering=snapshot(offering_id=offering),
        completed_on=date(2026, 3, 1),
        hours=6.0,
    )
    missed = NotCompleted(
        enrollment_id=uuid.uuid4(),
        staff_id=uuid.uuid4(),
        offering=snapshot(offering_id=offering),
        recorded_on=date(2026, 3, 1),
    )
    assert not await consumer.apply(envelope(done))  # of no interest: no effect, no inbox row
    assert not await consumer.apply(envelope(missed))
    assert await taken(catalogue_pool, offering) == 1


async def test_a_redelivered_event_counts_once(
    consumer: EventConsumer, catalogue_pool: asyncpg.Pool
) -> None:
    offering = uuid.uuid4()
    first = envelope(enrolled(offering_id=offering))
    leave = envelope(cancelled(uuid.uuid4(), offering, CancelledFrom.ENROLLED))
    assert await consumer.apply(first)
    assert not await consumer.apply(first)
    assert await consumer.apply(envelope(enrolled(offering_id=offering)))
    assert await taken(catalogue_pool, offering) == 2
    assert await consumer.apply(leave)
    assert not await consumer.apply(leave)
    assert await taken(catalogue_pool, offering) == 1
    rows = await catalogue_pool.fetchval(
        "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
        SUBSCRIPTIONS[0].group,
        [first.id, leave.id],
    )
    assert rows == 2


async def test_seats_show_on_the_offering(
    consumer: EventConsumer, catalogue_pool: asyncpg.Pool
) -> None:
    svc = Catalogue.on(catalogue_pool)
    academy = await svc.commands.create_academy("Academie De Linde", uuid.uuid4())
    body = {"title": "Reading", "kind": "course", "study_hours": 6.0, "capacity": 2}
    published = await svc.commands.publish_offering(academy.academy_id, body)
    offering = published.offering.details.offering_id
    assert (published.seats_taken, published.seats_free) == (0, 2)
    await consumer.apply(envelope(enrolled(offering_id=offering)))
    view = await svc.queries.offering(offering)
    assert (view.seats_taken, view.seats_free) == (1, 1)
    smaller = await svc.commands.update_offering(offering, {"capacity": 1})
    assert (smaller.seats_taken, smaller.seats_free, smaller.offering.details.version) == (1, 0, 2)


async def outbox_types(pool: asyncpg.Pool, key: uuid.UUID) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT topic, headers->>'ce_type' AS ce_type FROM outbox WHERE key = $1 ORDER BY seq",
        str(key),
    )
    return [(r["topic"], r["ce_type"]) for r in rows]


async def test_a_programme_is_stored_and_announced(catalogue_pool: asyncpg.Pool) -> None:
    svc = Catalogue.on(catalogue_pool)
    academy = await svc.commands.create_academy("Academie De Linde", uuid.uuid4())
    other = await svc.commands.create_academy("Academie Het Baken", uuid.uuid4())
    body = {"title": "Step", "kind": "course", "study_hours": 3.0}
    own = [
        (await svc.commands.publish_offering(academy.academy_id, body)).offering.details.offering_id
        for _ in range(3)
    ]
    foreign = (
        await svc.commands.publish_offering(other.academy_id, body)
    ).offering.details.offering_id
    path = (own[2], own[0], own[1])
    made = await svc.commands.offer_programme(academy.academy_id, "Beginning teachers", path)
    assert await svc.queries.programme(made.programme_id) == made
    assert made.offering_ids == path
    assert await svc.queries.programmes(academy.academy_id) == [made]
    assert await outbox_types(catalogue_pool, made.programme_id) == [
        ("catalogue.programmes", "nl.huisacademie.catalogue.programme_offered.v1")
    ]
    with pytest.raises(CommandRejected, match=f"not published by academy .*{foreign}"):
        await svc.commands.offer_programme(academy.academy_id, "Mixed", (own[0], foreign))
    with pytest.raises(NotFound, match="no academy"):
        await svc.commands.offer_programme(uuid.uuid4(), "Nobody's", (own[0],))
    assert await svc.queries.programmes(academy.academy_id) == [made]


async def test_a_rescheduled_audit_is_stored_with_its_event(catalogue_pool: asyncpg.Pool) -> None:
    svc = Catalogue.on(catalogue_pool)
    school = uuid.uuid4()
    team = (AuditTeamMember(staff_id=uuid.uuid4(), school_id=uuid.uuid4(), role=AuditRole.LEAD),)
    audit = await svc.commands.schedule_audit(
        school, uuid.uuid4(), "reading", date(2026, 3, 12), team
    )
    await svc.commands.reschedule_audit(audit.audit_id, date(2026, 4, 2), "exam week")
    stored = await svc.queries.audit(audit.audit_id)
    assert (stored.audit_date, stored.rescheduled_from, stored.reason) == (
        date(2026, 4, 2),
        date(2026, 3, 12),
        "exam week",
    )
    assert [t for _, t in await outbox_types(catalogue_pool, school)] == [
        "nl.huisacademie.catalogue.audit_scheduled.v1",
        "nl.huisacademie.catalogue.audit_rescheduled.v1",
    ]
