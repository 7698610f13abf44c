"""The portfolio's guard against storing anything about an erased person, once per
statement (migrations/005_erasure_per_statement.sql): a statement that writes many rows,
some about the erased, keeps only the others', whatever statement writes them."""

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.portfolio.app import DEFINITION
from tests.support.infra import Infrastructure, service_database

pytestmark = pytest.mark.integration

ENTRY = (
    "INSERT INTO entries (entry_id, staff_id, source, status, title, kind)"
    " SELECT gen_random_uuid(), s, 'staff', 'completed', 'Course', 'course'"
    " FROM unnest($1::uuid[]) AS s"
)
JOURNAL = (
    "INSERT INTO journal (event_id, type, at, staff_ids, data)"
    " SELECT gen_random_uuid(), 'test', now(), ids, '{}'::jsonb"
    " FROM (SELECT unnest($1::text[])::uuid[] AS ids) AS rows"
)


@pytest.fixture(scope="module")
async def pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_portfolio_guard", DEFINITION) as pool:
        yield pool


async def erased(pool: asyncpg.Pool) -> uuid.UUID:
    staff_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO erased_staff (staff_id, erased_by, reason) VALUES ($1, $2, 'a test')",
        staff_id,
        uuid.uuid4(),
    )
    return staff_id


async def test_one_statement_keeps_the_rows_of_the_living_and_drops_the_erased(
    pool: asyncpg.Pool,
) -> None:
    gone, kept = await erased(pool), uuid.uuid4()
    await pool.execute(ENTRY, [kept, gone, kept])
    stored = await pool.fetch("SELECT staff_id FROM entries WHERE staff_id = ANY($1)", [kept, gone])
    assert sorted(r["staff_id"] for r in stored) == [kept, kept]


async def test_an_update_that_names_an_erased_person_leaves_nothing_of_them(
    pool: asyncpg.Pool,
) -> None:
    alive = uuid.uuid4()
    await pool.execute(ENTRY, [alive])
    gone = await erased(pool)
    await pool.execute("UPDATE entries SET staff_id = $2 WHERE staff_id = $1", alive, gone)
    assert await pool.fetchval("SELECT count(*) FROM entries WHERE staff_id = $1", gone) == 0


async def test_a_journal_row_loses_the_erased_and_one_about_them_alone_goes(
    pool: asyncpg.Pool,
) -> None:
    gone, kept = await erased(pool), uuid.uuid4()
    rows = [f"{{{gone},{kept}}}", f"{{{gone}}}", "{}", f"{{{kept}}}"]
    await pool.execute(JOURNAL, rows)
    stored = await pool.fetch("SELECT staff_ids FROM journal WHERE type = 'test' ORDER BY seq")
    assert [list(r["staff_ids"]) for r in stored] == [[kept], [], [kept]]
    assert not await pool.fetchval("SELECT count(*) FROM journal WHERE $1 = ANY(staff_ids)", gone)


async def test_other_tables_about_a_person_refuse_the_erased_too(pool: asyncpg.Pool) -> None:
    gone = await erased(pool)
    await pool.execute(
        "INSERT INTO profiles (staff_id, board_id, role, sector, fte) VALUES ($1, $2,"
        " 'teacher', 'po', 1.0)",
        gone,
        uuid.uuid4(),
    )
    await pool.execute(
        "INSERT INTO departures (staff_id, board_id, left_on) VALUES ($1, $2, current_date)",
        gone,
        uuid.uuid4(),
    )
    for table in ("profiles", "departures"):
        assert not await pool.fetchval(f"SELECT count(*) FROM {table} WHERE staff_id = $1", gone)
