"""Capacity holds under real concurrency against PostgreSQL."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import asyncpg
import pytest

from contracts import CourseOffered, CourseUpdated, CourseWithdrawn
from services.enrollment.app import DEFINITION
from services.enrollment.service import Enrollments
from services.shared.db import create_pool, migrate
from services.shared.errors import CommandRejected, Conflict
from services.shared.runtime import database_migrations
from tests.support.factories import offering_details
from tests.support.infra import Infrastructure, fresh_database

pytestmark = pytest.mark.integration

SEATS = 7


@pytest.fixture(scope="module")
async def enrollment_pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    url = await fresh_database(infrastructure, "it_enrollment")
    await migrate(url, database_migrations(DEFINITION))
    pool = await create_pool(url, max_size=30)
    yield pool
    await pool.close()


async def offering(svc: Enrollments, pool: asyncpg.Pool, capacity: int | None) -> uuid.UUID:
    details = offering_details(capacity=capacity)
    async with pool.acquire() as conn, conn.transaction():
        await svc.on_course_offered(conn, CourseOffered(offering=details))
    return details.offering_id


async def statuses(pool: asyncpg.Pool, offering_id: uuid.UUID) -> Counter[str]:
    rows = await pool.fetch("SELECT status FROM enrollments WHERE offering_id = $1", offering_id)
    return Counter(r["status"] for r in rows)


async def test_concurrent_enrolments_never_exceed_capacity(enrollment_pool: asyncpg.Pool) -> None:
    svc = Enrollments(enrollment_pool, "/test")
    offering_id = await offering(svc, enrollment_pool, SEATS)
    results = await asyncio.gather(*(svc.enrol(uuid.uuid4(), offering_id) for _ in range(400)))
    assert Counter(e.status.value for e, _ in results) == {
        "enrolled": SEATS,
        "waitlisted": 400 - SEATS,
    }
    assert await statuses(enrollment_pool, offering_id) == {
        "enrolled": SEATS,
        "waitlisted": 400 - SEATS,
    }
    event_types = Counter(
        r["ce_type"]
        for r in await enrollment_pool.fetch(
            "SELECT headers->>'ce_type' AS ce_type FROM outbox"
            " WHERE convert_from(payload, 'UTF8')::jsonb->'offering'->>'offering_id' = $1",
            str(offering_id),
        )
    )
    assert event_types == {
        "nl.huisacademie.enrollment.enrolled.v1": SEATS,
        "nl.huisacademie.enrollment.waitlisted.v1": 400 - SEATS,
    }


async def test_concurrent_cancellations_promote_in_order_without_overbooking(
    enrollment_pool: asyncpg.Pool,
) -> None:
    svc = Enrollments(enrollment_pool, "/test")
    offering_id = await offering(svc, enrollment_pool, SEATS)
    made = [(await svc.enrol(uuid.uuid4(), offering_id))[0] for _ in range(40)]
    enrolled, waiting = made[:SEATS], made[SEATS:]
    leaving = enrolled[:5] + waiting[-10:]
    await asyncio.gather(*(svc.cancel(e.enrollment_id, "ill") for e in leaving))
    assert await statuses(enrollment_pool, offering_id) == {
        "enrolled": SEATS,
        "waitlisted": 40 - SEATS - 15,
        "cancelled": 15,
    }
    promoted = [await svc.get(e.enrollment_id) for e in waiting[:5]]
    assert [p.status.value for p in promoted] == ["enrolled"] * 5
    assert (await svc.get(waiting[5].enrollment_id)).status.value == "waitlisted"


async def test_the_same_person_enrolling_concurrently_gets_one_enrollment(
    enrollment_pool: asyncpg.Pool,
) -> None:
    svc = Enrollments(enrollment_pool, "/test")
    offering_id = await offering(svc, enrollment_pool, None)
    staff = uuid.uuid4()
    results = await asyncio.gather(
        *(svc.enrol(staff, offering_id) for _ in range(20)), return_exceptions=True
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    assert await statuses(enrollment_pool, offering_id) == {"enrolled": 1}


async def test_the_same_idempotency_key_concurrently_makes_one_enrollment(
    enrollment_pool: asyncpg.Pool,
) -> None:
    svc = Enrollments(enrollment_pool, "/test")
    offering_id = await offering(svc, enrollment_pool, SEATS)
    staff, key = uuid.uuid4(), str(uuid.uuid4())
    results = await asyncio.gather(*(svc.enrol(staff, offering_id, key) for _ in range(20)))
    assert len({e.enrollment_id for e, _ in results}) == 1
    assert sum(1 for _, created in results if created) == 1
    other = await offering(svc, enrollment_pool, SEATS)
    with pytest.raises(CommandRejected, match="used for another request"):
        await svc.enrol(staff, other, key)
    # The key is the caller's own: another staff member may use the same one.
    someone_else, created = await svc.enrol(uuid.uuid4(), offering_id, key)
    assert created and someone_else.enrollment_id != results[0][0].enrollment_id


async def test_raising_capacity_promotes_and_withdrawal_cancels_everyone(
    enrollment_pool: asyncpg.Pool,
) -> None:
    svc = Enrollments(enrollment_pool, "/test")
    details = offering_details(capacity=2)
    async with enrollment_pool.acquire() as conn, conn.transaction():
        await svc.on_course_offered(conn, CourseOffered(offering=details))
    made = [(await svc.enrol(uuid.uuid4(), details.offering_id))[0] for _ in range(5)]
    async with enrollment_pool.acquire() as conn, conn.transaction():
        bigger = details.model_copy(update={"capacity": 4})
        await svc.on_course_updated(conn, CourseUpdated(offering=bigger, changed=("capacity",)))
    assert [(await svc.get(e.enrollment_id)).status.value for e in made] == [
        "enrolled",
        "enrolled",
        "enrolled",
        "enrolled",
        "waitlisted",
    ]
    async with enrollment_pool.acquire() as conn, conn.transaction():
        await svc.on_course_withdrawn(
            conn, CourseWithdrawn(offering_id=details.offering_id, academy_id=details.academy_id)
        )
    assert await statuses(enrollment_pool, details.offering_id) == {"cancelled": 5}
    with pytest.raises(Conflict, match="withdrawn"):
        await svc.enrol(uuid.uuid4(), details.offering_id)
