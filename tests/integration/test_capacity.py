"""Capacity holds under real concurrency against PostgreSQL: requests spread over several
instances of enrollment's write side, each with its own pool and its own desk, so that
the offering's row lock (not one process's desk) is what keeps them apart."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from contracts.values import Audience, StaffRole
from services.enrollment.app import DEFINITION
from services.enrollment.commands import (
    AttendanceCommands,
    EnrollmentCommands,
    ReservationCommands,
)
from services.enrollment.domain.eligibility import NotEligible
from services.enrollment.store import Store
from services.shared.db import create_pool
from services.shared.errors import CommandRejected, Conflict
from tests.support.enrollment import (
    attendance,
    enrolling,
    publish,
    reservations,
    staff_of,
)
from tests.support.infra import Infrastructure, service_database

pytestmark = pytest.mark.integration

SEATS = 20
INSTANCES = 5


@pytest.fixture(scope="module")
async def enrollment_pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_enrollment", DEFINITION, max_size=30) as pool:
        yield pool


@dataclass(frozen=True)
class Instance:
    enrolling: EnrollmentCommands
    attendance: AttendanceCommands
    reservations: ReservationCommands


@pytest.fixture(scope="module")
async def instances(
    infrastructure: Infrastructure, enrollment_pool: asyncpg.Pool
) -> AsyncIterator[list[Instance]]:
    """Enrollment's write side as five instances would run it: a pool and a desk each."""
    url = infrastructure.database_url("it_enrollment")
    pools = [await create_pool(url, max_size=6) for _ in range(INSTANCES)]
    try:
        yield [Instance(enrolling(pool), attendance(pool), reservations(pool)) for pool in pools]
    finally:
        for pool in pools:
            await pool.close()


def spread(instances: list[Instance], n: int) -> EnrollmentCommands:
    """The n-th request's instance: requests go round all of them."""
    return instances[n % len(instances)].enrolling


async def statuses(pool: asyncpg.Pool, offering_id: uuid.UUID) -> Counter[str]:
    rows = await pool.fetch("SELECT status FROM enrollments WHERE offering_id = $1", offering_id)
    return Counter(r["status"] for r in rows)


async def events_about(pool: asyncpg.Pool, offering_id: uuid.UUID) -> Counter[str]:
    rows = await pool.fetch(
        "SELECT headers->>'ce_type' AS ce_type FROM outbox"
        " WHERE convert_from(payload, 'UTF8')::jsonb->'offering'->>'offering_id' = $1",
        str(offering_id),
    )
    return Counter(r["ce_type"].split(".")[-2] for r in rows)


async def test_500_concurrent_enrollments_on_20_seats(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    offering = await publish(enrollment_pool, capacity=SEATS)
    results = await asyncio.gather(
        *(spread(instances, n).enrol(staff_of(offering), offering.offering_id) for n in range(500))
    )
    expected = {"enrolled": SEATS, "waitlisted": 500 - SEATS}
    assert Counter(e.status.value for e, _, _ in results) == expected
    assert await statuses(enrollment_pool, offering.offering_id) == expected
    assert await events_about(enrollment_pool, offering.offering_id) == expected


async def test_two_racing_cancellations_promote_each_waiting_person_once(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    svc = instances[0].enrolling
    offering = await publish(enrollment_pool, capacity=2)
    made = [(await svc.enrol(staff_of(offering), offering.offering_id))[0] for _ in range(5)]
    for _ in range(10):  # the same race, again and again
        seated = [
            e for e in made if (await svc_get(enrollment_pool, e.enrollment_id)) == "enrolled"
        ]
        if len(seated) < 2:
            break
        await asyncio.gather(
            *(spread(instances, n).cancel(e.enrollment_id, "ill") for n, e in enumerate(seated[:2]))
        )
        assert (await statuses(enrollment_pool, offering.offering_id))["enrolled"] <= 2
    counts = await statuses(enrollment_pool, offering.offering_id)
    assert counts == {"cancelled": 4, "enrolled": 1}
    # Enrolled events: 2 direct, then one promotion for each of the 3 who waited.
    assert (await events_about(enrollment_pool, offering.offering_id))["enrolled"] == 5


async def svc_get(pool: asyncpg.Pool, enrollment_id: uuid.UUID) -> str:
    status: str = await pool.fetchval(
        "SELECT status FROM enrollments WHERE enrollment_id = $1", enrollment_id
    )
    return status


async def test_the_same_person_enrolling_concurrently_gets_one_enrollment(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    offering = await publish(enrollment_pool, capacity=None)
    staff = staff_of(offering)
    results = await asyncio.gather(
        *(spread(instances, n).enrol(staff, offering.offering_id) for n in range(20)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 19
    assert all(isinstance(r, Conflict) and "already has an enrollment" in str(r) for r in refused)
    assert await statuses(enrollment_pool, offering.offering_id) == {"enrolled": 1}
    assert await events_about(enrollment_pool, offering.offering_id) == {"enrolled": 1}


async def test_the_same_idempotency_key_concurrently_makes_one_enrollment(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    svc = instances[0].enrolling
    offering = await publish(enrollment_pool, capacity=SEATS)
    staff, key = staff_of(offering), str(uuid.uuid4())
    results = await asyncio.gather(
        *(spread(instances, n).enrol(staff, offering.offering_id, key) for n in range(20))
    )
    assert len({e.enrollment_id for e, _, _ in results}) == 1
    assert sum(1 for _, created, _ in results if created) == 1
    assert await events_about(enrollment_pool, offering.offering_id) == {"enrolled": 1}
    other = await publish(enrollment_pool, capacity=SEATS, board_id=offering.board_id)
    with pytest.raises(CommandRejected, match="used for another request"):
        await svc.enrol(staff, other.offering_id, key)
    # The key is the caller's own: another staff member may use the same one.
    someone_else, created, _ = await svc.enrol(staff_of(offering), offering.offering_id, key)
    assert created and someone_else.enrollment_id != results[0][0].enrollment_id


async def test_concurrent_teams_get_all_their_seats_or_none(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    offering = await publish(enrollment_pool, capacity=10)
    teams = [[staff_of(offering) for _ in range(4)] for _ in range(5)]
    results = await asyncio.gather(
        *(spread(instances, n).enrol_team(offering.offering_id, t) for n, t in enumerate(teams)),
        return_exceptions=True,
    )
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(made) == 2 and len(refused) == 3
    assert all(isinstance(r, Conflict) and "nobody was enrolled" in str(r) for r in refused)
    assert await statuses(enrollment_pool, offering.offering_id) == {"enrolled": 8}


async def waiting_for_a_lock(pool: asyncpg.Pool, query_start: str) -> bool:
    waiting: bool = await pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query LIKE $1 || '%')",
        query_start,
    )
    return waiting


async def test_completions_share_the_offerings_lock_and_seat_decisions_wait_for_them(
    enrollment_pool: asyncpg.Pool,
) -> None:
    svc, progress = enrolling(enrollment_pool), attendance(enrollment_pool)
    offering = await publish(enrollment_pool, capacity=3)
    a, b, c = [(await svc.enrol(staff_of(offering), offering.offering_id))[0] for _ in range(3)]
    async with enrollment_pool.acquire() as conn, conn.transaction():
        await Store(conn).locked(a.enrollment_id, seats=False)  # a completion under way
        # Another completion on the offering does not wait for it...
        done = await asyncio.wait_for(progress.complete(b.enrollment_id, None, None, ""), 30)
        assert done.status.value == "completed"
        # ... but a seat decision does, until it commits.
        cancelling = asyncio.create_task(svc.cancel(c.enrollment_id, "ill"))
        while not await waiting_for_a_lock(enrollment_pool, "SELECT details, withdrawn"):
            assert not cancelling.done()
            await asyncio.sleep(0.01)
    assert (await cancelling).status.value == "cancelled"


async def test_the_same_enrollment_completed_concurrently_completes_once(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    offering = await publish(enrollment_pool, capacity=None)
    made, _, _ = await spread(instances, 0).enrol(staff_of(offering), offering.offering_id)
    results = await asyncio.gather(
        *(
            instances[n % INSTANCES].attendance.complete(made.enrollment_id, None, None, "")
            for n in range(10)
        ),
        return_exceptions=True,
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    assert (await events_about(enrollment_pool, offering.offering_id))["completed"] == 1


async def test_requests_decided_together_each_get_their_own_answer(
    enrollment_pool: asyncpg.Pool,
) -> None:
    svc = enrolling(enrollment_pool)
    offering = await publish(
        enrollment_pool, capacity=2, audience=Audience(roles=(StaffRole.TEACHER,))
    )
    other = await publish(enrollment_pool, capacity=None, board_id=offering.board_id)
    twice, keyed, used_elsewhere = (staff_of(offering) for _ in range(3))
    await svc.enrol(used_elsewhere, other.offering_id, "k-used")
    first, second, third = (staff_of(offering) for _ in range(3))
    asked = [
        svc.enrol(first, offering.offering_id),
        svc.enrol(twice, offering.offering_id),
        svc.enrol(twice, offering.offering_id),
        svc.enrol(keyed, offering.offering_id, "k"),
        svc.enrol(keyed, offering.offering_id, "k"),
        svc.enrol(staff_of(offering, StaffRole.SPECIALIST), offering.offering_id),
        svc.enrol(used_elsewhere, offering.offering_id, "k-used"),
        svc.enrol(second, offering.offering_id),
        svc.enrol(third, offering.offering_id),
    ]
    answers = await asyncio.gather(*asked, return_exceptions=True)
    made = [a for a in answers if not isinstance(a, BaseException)]
    # In order of arrival: the first two new people get the seats, the rest wait.
    assert [(e.staff_id, e.status.value, created) for e, created, _ in made] == [
        (first.staff_id, "enrolled", True),
        (twice.staff_id, "enrolled", True),
        (keyed.staff_id, "waitlisted", True),
        (keyed.staff_id, "waitlisted", False),
        (second.staff_id, "waitlisted", True),
        (third.staff_id, "waitlisted", True),
    ]
    assert made[2][0] == made[3][0]  # the same key: the same enrollment
    assert isinstance(answers[2], Conflict) and "already has an enrollment" in str(answers[2])
    assert isinstance(answers[5], NotEligible)
    assert isinstance(answers[6], CommandRejected) and "another request" in str(answers[6])
    assert await statuses(enrollment_pool, offering.offering_id) == {
        "enrolled": 2,
        "waitlisted": 3,
    }
    assert await events_about(enrollment_pool, offering.offering_id) == {
        "enrolled": 2,
        "waitlisted": 3,
    }
    queue = await enrollment_pool.fetch(
        "SELECT staff_id FROM enrollments WHERE offering_id = $1 AND status = 'waitlisted'"
        " ORDER BY queue_position",
        offering.offering_id,
    )
    assert [r["staff_id"] for r in queue] == [keyed.staff_id, second.staff_id, third.staff_id]


async def test_the_same_reservation_key_concurrently_makes_one_reservation(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    offering = await publish(enrollment_pool, capacity=SEATS)
    leader, key = uuid.uuid4(), str(uuid.uuid4())
    results = await asyncio.gather(
        *(
            instances[n % INSTANCES].reservations.reserve(
                offering.offering_id, leader, offering.board_id, 3, key
            )
            for n in range(10)
        )
    )
    assert len({held.reservation_id for held, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
    assert await events_about(enrollment_pool, offering.offering_id) == {"seats_reserved": 1}
    held = await instances[0].reservations.reserve(
        offering.offering_id, uuid.uuid4(), offering.board_id, 3, key
    )  # the key is the leader's own: another leader's is another reservation
    assert held[1] and held[0].reservation_id != results[0][0].reservation_id
    with pytest.raises(CommandRejected, match="used for another request"):
        await instances[0].reservations.reserve(
            offering.offering_id, leader, offering.board_id, 2, key
        )


async def test_one_reservation_key_sent_for_two_offerings_at_once_reserves_once(
    enrollment_pool: asyncpg.Pool, instances: list[Instance]
) -> None:
    first = await publish(enrollment_pool, capacity=SEATS)
    second = await publish(enrollment_pool, capacity=SEATS, board_id=first.board_id)
    leader = uuid.uuid4()
    for _ in range(5):  # the race, again and again, each time with a fresh key
        key = str(uuid.uuid4())
        results = await asyncio.gather(
            *(
                instances[n].reservations.reserve(o.offering_id, leader, first.board_id, 1, key)
                for n, o in enumerate((first, second))
            ),
            return_exceptions=True,
        )
        made = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(made) == 1 and made[0][1], results
        assert len(refused) == 1 and isinstance(refused[0], CommandRejected), refused
        assert "used for another request" in str(refused[0])
