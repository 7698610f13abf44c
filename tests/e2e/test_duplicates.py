"""The same Completed event published twice counts once in the portfolio."""

from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest

from contracts.topics import ENROLLMENTS
from huisacademie.demo import Endpoints, wait_for
from tests.support.factories import completion
from tests.support.infra import Infrastructure
from tests.support.kafka import as_record, produce
from tests.support.people import People

pytestmark = pytest.mark.e2e


async def test_the_same_completed_event_twice_counts_once(
    endpoints: Endpoints, infrastructure: Infrastructure, people: People
) -> None:
    person = people.staff()  # reads their own portfolio
    assert person.staff_id is not None
    staff = person.staff_id
    twice = completion(staff, hours=7.5, on=date(2026, 7, 31))
    sentinel = completion(staff, hours=2.0, on=date(2026, 8, 1))
    # All three share the staff id as key, so one partition and this order.
    await produce(
        infrastructure.kafka_bootstrap,
        ENROLLMENTS,
        [as_record(twice), as_record(twice), as_record(sentinel)],
    )

    def settled() -> dict[str, Any] | None:
        url = f"{endpoints.portfolio}/staff/{staff}/portfolio"
        body: dict[str, Any] = httpx.get(url, headers=person.headers).json()
        return body if len(body["entries"]) >= 2 else None

    portfolio = wait_for("both completions in the portfolio", settled)
    assert len(portfolio["entries"]) == 2
    assert portfolio["total_hours"] == 9.5
    assert [(y["school_year"], y["hours"]) for y in portfolio["school_years"]] == [
        ("2026-2027", 2.0),
        ("2025-2026", 7.5),
    ]
    # The portfolio recorded each event once in its journal, whose unique event id is what
    # drops the second copy (its consumers keep no inbox rows). (That an inbox alone stops a
    # second effect is shown in tests/integration/test_consumer.py, with an effect that is
    # not idempotent by itself, as this projection is.)
    conn = await asyncpg.connect(infrastructure.database_url("e2e_portfolio"))
    try:
        seen = await conn.fetch(
            "SELECT event_id FROM journal WHERE event_id = ANY($1::uuid[])", [twice.id, sentinel.id]
        )
        inbox = await conn.fetchval("SELECT count(*) FROM inbox")
    finally:
        await conn.close()
    assert sorted(r["event_id"] for r in seen) == sorted([twice.id, sentinel.id])
    assert inbox == 0
