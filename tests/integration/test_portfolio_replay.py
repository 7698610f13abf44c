"""The portfolio replayed from its journal is the live portfolio; replaying the same events
twice changes nothing."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest

from contracts import Envelope, Event
from contracts.catalogue import AuditCompleted
from contracts.enrollment import EnrolledVia
from contracts.portfolio import EntryAdded, LearningKind
from contracts.values import AuditorCredit, AuditRole, Findings
from services.portfolio.app import DEFINITION
from services.portfolio.commands import PortfolioCommands
from services.portfolio.domain.portfolio import Portfolio, fold
from services.portfolio.handlers import SUBSCRIPTIONS
from services.portfolio.store import Store
from services.shared.consumer import Applier
from tests.support.factories import completion, enrolled
from tests.support.infra import Infrastructure, service_database
from tests.support.sealing import sealer

pytestmark = pytest.mark.integration

LATER = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
async def pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_portfolio", DEFINITION) as pool:
        yield pool


def by_group(pool: asyncpg.Pool) -> dict[str, Applier]:
    """What the live consumers apply events with, without Kafka."""
    database = DEFINITION.database(pool, sealer())
    return {s.group: Applier(s.group, database, s.handlers) for s in SUBSCRIPTIONS}


async def test_replay_equals_the_live_portfolio_and_duplicates_change_nothing(
    pool: asyncpg.Pool,
) -> None:
    live = by_group(pool)
    staff, auditor = uuid.uuid4(), uuid.uuid4()
    seat = enrolled(staff_id=staff, via=EnrolledVia.DIRECT)
    events: list[Envelope[Event]] = [
        Envelope[Event].new(seat, "/test"),
        completion(staff, hours=3.0, on=date(2026, 7, 31)),
        completion(staff, hours=2.0, on=date(2026, 8, 1)),
    ]
    audit = AuditCompleted(
        audit_id=uuid.uuid4(),
        school_id=uuid.uuid4(),
        board_id=uuid.uuid4(),
        theme="reading",
        audit_date=date(2026, 3, 3),
        findings=Findings(),
        team=(
            AuditorCredit(staff_id=auditor, school_id=uuid.uuid4(), role=AuditRole.LEAD, hours=8),
            AuditorCredit(staff_id=staff, school_id=uuid.uuid4(), role=AuditRole.MEMBER, hours=6),
        ),
    )
    for envelope in [*events, *events]:  # every event twice
        assert envelope.data.topic == "enrollment.enrollments"
        await live["portfolio.enrollments"].apply(envelope)
    await live["portfolio.audits"].apply(Envelope[Event].new(audit, "/test"))
    own = PortfolioCommands(DEFINITION.database(pool, sealer()).transaction)
    added = await own.add_entry(
        EntryAdded(
            staff_id=staff,
            entry_id=uuid.uuid4(),
            title="Congress",
            kind=LearningKind.CONFERENCE,
            hours=4,
            completed_on=date(2026, 9, 9),
        )
    )
    await own.add_reflection(staff, added.entry_id, "worth it")

    async with pool.acquire() as conn:
        for person in (staff, auditor):
            current = {e.entry_id: e for e in await Store(conn).entries_of(person)}
            history = await Store(conn).events_of(person, LATER)
            replayed = fold(Portfolio(), history).entries_of(person)
            assert {e.entry_id: e for e in replayed} == current
            twice = fold(Portfolio(), [*history, *history]).entries_of(person)
            assert {e.entry_id: e for e in twice} == current
        mine = await Store(conn).entries_of(staff)
    assert sorted((e.source, e.hours) for e in mine if e.hours) == [
        ("audit", 6.0),
        ("enrollment", 2.0),
        ("enrollment", 3.0),
        ("staff", 4.0),
    ]
