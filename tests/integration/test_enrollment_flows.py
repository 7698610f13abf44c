"""Enrollment's flows on a real database: changes to an offering move people on, approval,
attendance that completes, a programme completed, the history of an enrollment."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest

from contracts.catalogue import CourseUpdated, CourseWithdrawn, ProgrammeOffered
from contracts.values import CompletionCriteria, EnrollmentStatus, OfferingDetails
from services.enrollment.app import DEFINITION
from services.enrollment.domain.eligibility import NotEligible
from services.enrollment.store import Store
from services.shared.errors import Conflict
from tests.support.enrollment import (
    attendance,
    enrolling,
    handled,
    publish,
    queries,
    reservations,
    staff_of,
)
from tests.support.factories import FIRST_SESSION, session
from tests.support.infra import Infrastructure, service_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_enrollment_flows", DEFINITION) as pool:
        yield pool


async def update(pool: asyncpg.Pool, old: OfferingDetails, **changes: object) -> OfferingDetails:
    new = old.model_copy(update={**changes, "version": old.version + 1})
    event = CourseUpdated(offering=new, changed=tuple(changes))
    await handled(pool, event)
    return new


async def status_of(pool: asyncpg.Pool, *enrollments: uuid.UUID) -> list[str]:
    q = queries(pool)
    return [(await q.enrollment(e)).status.value for e in enrollments]


async def test_dates_turn_the_interest_list_into_seats_in_order(pool: asyncpg.Pool) -> None:
    svc = enrolling(pool)
    offering = await publish(pool, sessions=(), capacity=2)
    made = [(await svc.enrol(staff_of(offering), offering.offering_id))[0] for _ in range(3)]
    assert {e.status for e in made} == {EnrollmentStatus.INTERESTED}
    await update(pool, offering, sessions=(session(FIRST_SESSION),))
    ids = [e.enrollment_id for e in made]
    assert await status_of(pool, *ids) == ["enrolled", "enrolled", "waitlisted"]
    history = await queries(pool).history(ids[0])
    assert [h["type"].split(".")[-2] for h in history] == ["interest_registered", "enrolled"]
    assert history[1]["data"]["via"] == "interest_list"


async def test_raising_capacity_promotes_and_withdrawal_cancels_everyone(
    pool: asyncpg.Pool,
) -> None:
    svc = enrolling(pool)
    offering = await publish(pool, capacity=2)
    ids = [
        (await svc.enrol(staff_of(offering), offering.offering_id))[0].enrollment_id
        for _ in range(5)
    ]
    offering = await update(pool, offering, capacity=4)
    assert await status_of(pool, *ids) == ["enrolled"] * 4 + ["waitlisted"]
    event = CourseWithdrawn(offering_id=offering.offering_id, academy_id=offering.academy_id)
    await handled(pool, event)
    assert await status_of(pool, *ids) == ["cancelled"] * 5


async def test_approval_then_seat_or_decline(pool: asyncpg.Pool) -> None:
    svc = enrolling(pool)
    offering = await publish(pool, capacity=1, requires_approval=True)
    leader = uuid.uuid4()
    first, second, third = [
        (await svc.enrol(staff_of(offering), offering.offering_id))[0] for _ in range(3)
    ]
    assert {first.status, second.status, third.status} == {EnrollmentStatus.REQUESTED}
    assert (await svc.approve(second.enrollment_id, leader)).status is EnrollmentStatus.ENROLLED
    assert (await svc.approve(first.enrollment_id, leader)).status is EnrollmentStatus.WAITLISTED
    assert (
        await svc.decline(third.enrollment_id, leader, "budget")
    ).status is EnrollmentStatus.DECLINED
    declined = (await queries(pool).history(third.enrollment_id))[-1]["data"]
    assert (declined["declined_by"], declined["reason"]) == (str(leader), "budget")


async def test_attendance_completes_by_the_criteria_and_finishes_a_programme(
    pool: asyncpg.Pool,
) -> None:
    svc, progress = enrolling(pool), attendance(pool)
    days = [session(FIRST_SESSION + timedelta(days=7 * n)) for n in range(3)]
    first = await publish(pool, sessions=tuple(days))
    second = await publish(
        pool,
        sessions=(session(FIRST_SESSION + timedelta(days=30)),),
        board_id=first.board_id,
        completion=CompletionCriteria(min_attendance_share=1.0),
    )
    programme = ProgrammeOffered(
        programme_id=uuid.uuid4(),
        academy_id=first.academy_id,
        title="Reading path",
        offering_ids=(first.offering_id, second.offering_id),
    )
    await handled(pool, programme)
    staff = staff_of(first)
    a = (await svc.enrol(staff, first.offering_id))[0]
    b = (await svc.enrol(staff, second.offering_id))[0]
    for s, attended in zip(days, (True, True, False), strict=True):
        assert s.session_id is not None
        done = await progress.record_attendance(a.enrollment_id, s.session_id, attended)
    assert done.status is EnrollmentStatus.NOT_COMPLETED  # 2 of 3, and all are required
    assert second.sessions[0].session_id is not None
    done = await progress.record_attendance(b.enrollment_id, second.sessions[0].session_id, True)
    assert done.status is EnrollmentStatus.COMPLETED
    # The academy completes the first by hand; that finishes the programme.
    await progress.complete(a.enrollment_id, None, None, "made up the missed session")
    rows = await pool.fetch(
        "SELECT headers->>'ce_type' AS t FROM outbox WHERE key = $1", str(staff.staff_id)
    )
    kinds = Counter(r["t"].split(".")[-2] for r in rows)
    assert kinds["programme_completed"] == 1
    assert kinds["not_completed"] == 1 and kinds["completed"] == 2


async def test_reserved_seats_count_as_taken_until_filled_or_released(pool: asyncpg.Pool) -> None:
    svc, seats = enrolling(pool), reservations(pool)
    offering = await publish(pool, capacity=10)
    held, _ = await seats.reserve(offering.offering_id, uuid.uuid4(), offering.board_id, 5)
    with pytest.raises(Conflict, match="5 seat"):
        await seats.reserve(offering.offering_id, uuid.uuid4(), offering.board_id, 6)
    results = await asyncio.gather(
        *(svc.enrol(staff_of(offering), offering.offering_id) for _ in range(20))
    )
    assert Counter(e.status.value for e, _, _ in results) == {"enrolled": 5, "waitlisted": 15}
    team = [staff_of(offering) for _ in range(3)]
    filled = await seats.fill(held.reservation_id, team)
    assert [e.status for e in filled] == [EnrollmentStatus.ENROLLED] * 3
    with pytest.raises(Conflict, match="2 reserved seat"):
        await seats.fill(held.reservation_id, [staff_of(offering) for _ in range(3)])
    released = await seats.release(held.reservation_id)
    assert (released.open, released.released) == (0, True)
    rows = await pool.fetch(
        "SELECT status, count(*) AS n FROM enrollments WHERE offering_id = $1 GROUP BY status",
        offering.offering_id,
    )
    # 5 direct + 3 named in reserved seats + 2 moved up from the list when 2 were given back.
    assert {r["status"]: r["n"] for r in rows} == {"enrolled": 10, "waitlisted": 13}


async def test_withdrawal_releases_reservations_and_refuses_to_fill_them(
    pool: asyncpg.Pool,
) -> None:
    seats = reservations(pool)
    offering = await publish(pool, capacity=6)
    held, _ = await seats.reserve(offering.offering_id, uuid.uuid4(), offering.board_id, 4)
    with pytest.raises(NotEligible, match="only for staff of the board"):
        await seats.reserve(offering.offering_id, uuid.uuid4(), uuid.uuid4(), 1)
    event = CourseWithdrawn(offering_id=offering.offering_id, academy_id=offering.academy_id)
    await handled(pool, event)
    assert (await queries(pool).reservation(held.reservation_id)).released
    with pytest.raises(Conflict, match="withdrawn"):
        await seats.fill(held.reservation_id, [staff_of(offering)])
    async with pool.acquire() as conn:
        assert await Store(conn).count_seated(offering.offering_id) == 0
    released = await pool.fetchval(
        "SELECT count(*) FROM outbox WHERE headers->>'ce_type' LIKE '%reservation_released%'"
        " AND convert_from(payload, 'UTF8')::jsonb->>'reservation_id' = $1",
        str(held.reservation_id),
    )
    assert released == 1


async def test_freed_seats_go_to_the_waiting_list_before_the_interest_list(
    pool: asyncpg.Pool,
) -> None:
    svc = enrolling(pool)
    offering = await publish(pool, capacity=1)
    first, second = [
        (await svc.enrol(staff_of(offering), offering.offering_id))[0] for _ in range(2)
    ]
    offering = await update(pool, offering, sessions=())
    late = (await svc.enrol(staff_of(offering), offering.offering_id))[0]
    assert late.status is EnrollmentStatus.INTERESTED
    await update(pool, offering, sessions=(session(FIRST_SESSION),), capacity=2)
    ids = (first.enrollment_id, second.enrollment_id, late.enrollment_id)
    assert await status_of(pool, *ids) == ["enrolled", "enrolled", "waitlisted"]


async def test_a_programme_is_completed_once_also_when_its_last_offerings_complete_together(
    pool: asyncpg.Pool,
) -> None:
    svc, progress = enrolling(pool), attendance(pool)
    x = await publish(pool)
    y = await publish(
        pool, board_id=x.board_id, sessions=(session(FIRST_SESSION + timedelta(days=60)),)
    )
    programme = ProgrammeOffered(
        programme_id=uuid.uuid4(),
        academy_id=x.academy_id,
        title="Path",
        offering_ids=(x.offering_id, y.offering_id),
    )
    await handled(pool, programme)
    people = [staff_of(x) for _ in range(10)]
    pairs = [
        ((await svc.enrol(p, x.offering_id))[0], (await svc.enrol(p, y.offering_id))[0])
        for p in people
    ]
    await asyncio.gather(
        *(progress.complete(e.enrollment_id, None, None, "") for pair in pairs for e in pair)
    )
    rows = await pool.fetch(
        "SELECT key FROM outbox WHERE headers->>'ce_type' LIKE '%programme_completed%'"
        " AND convert_from(payload, 'UTF8')::jsonb->>'programme_id' = $1",
        str(programme.programme_id),
    )
    assert sorted(r["key"] for r in rows) == sorted(str(p.staff_id) for p in people)


async def test_a_programme_announced_later_is_completed_by_who_already_did_it_all(
    pool: asyncpg.Pool,
) -> None:
    svc, progress = enrolling(pool), attendance(pool)
    x = await publish(pool)
    staff = staff_of(x)
    done = (await svc.enrol(staff, x.offering_id))[0]
    await progress.complete(done.enrollment_id, None, None, "")
    programme = ProgrammeOffered(
        programme_id=uuid.uuid4(),
        academy_id=x.academy_id,
        title="One step",
        offering_ids=(x.offering_id,),
    )
    await handled(pool, programme)
    keys = await pool.fetch(
        "SELECT key FROM outbox WHERE convert_from(payload, 'UTF8')::jsonb->>'programme_id' = $1",
        str(programme.programme_id),
    )
    assert [r["key"] for r in keys] == [str(staff.staff_id)]


async def test_a_clash_elsewhere_holds_up_a_team_until_confirmed(pool: asyncpg.Pool) -> None:
    """A team member's sessions in another offering are found on PostgreSQL (the booked
    sessions besides this offering): the mutant `booked_sessions(staff_id, None)` in
    seating.admissible survives the unit tests (docs/testing.md) and dies here."""
    svc = enrolling(pool)
    elsewhere = await publish(pool, capacity=None, title="Rekenen in groep 5")
    offering = await publish(pool, capacity=4, board_id=elsewhere.board_id)  # same dates
    busy, free = staff_of(elsewhere), staff_of(elsewhere)
    await svc.enrol(busy, elsewhere.offering_id)

    with pytest.raises(Conflict, match="Rekenen in groep 5"):
        await svc.enrol_team(offering.offering_id, [free, busy])
    made, warnings = await svc.enrol_team(offering.offering_id, [free, busy], confirm_overlap=True)
    assert [e.status.value for e in made] == ["enrolled", "enrolled"]
    # The busy member's two sessions each overlap one of the offering's.
    assert len(warnings) == 2 and all("Rekenen in groep 5" in w for w in warnings)
