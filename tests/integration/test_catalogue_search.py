"""Catalogue search on real PostgreSQL: every filter, alone and combined, runs in SQL."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from contracts.values import OfferingKind
from services.catalogue.app import DEFINITION
from services.catalogue.store import Store
from services.catalogue.store.search import OfferingQuery, StatusFilter
from tests.support.catalogue import Catalogue
from tests.support.infra import Infrastructure, service_database

pytestmark = pytest.mark.integration

MARCH_10 = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def catalogue_pool(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infrastructure, "it_catalogue", DEFINITION) as pool:
        yield pool


@pytest.fixture
def svc(catalogue_pool: asyncpg.Pool) -> Catalogue:
    return Catalogue.on(catalogue_pool)


def sessions(*starts: datetime) -> list[dict[str, Any]]:
    return [{"starts_at": s, "ends_at": s + timedelta(hours=2)} for s in starts]


class Academy:
    """An academy of a fresh board, publishing offerings with sensible defaults."""

    def __init__(self, svc: Catalogue, academy_id: uuid.UUID, board_id: uuid.UUID) -> None:
        self.svc, self.academy_id, self.board_id = svc, academy_id, board_id
        self.made: set[uuid.UUID] = set()

    @classmethod
    async def new(cls, svc: Catalogue) -> "Academy":
        academy = await svc.commands.create_academy("Academie De Linde", uuid.uuid4())
        return cls(svc, academy.academy_id, academy.board_id)

    async def offer(self, **fields: Any) -> uuid.UUID:
        body = {"title": "Reading", "kind": "course", "study_hours": 6.0, **fields}
        view = await self.svc.commands.publish_offering(self.academy_id, body)
        self.made.add(view.offering.details.offering_id)
        return view.offering.details.offering_id

    async def find(self, **filters: Any) -> set[uuid.UUID]:
        """What a search finds among this academy's offerings (and `also`, if given)."""
        among: set[uuid.UUID] = self.made | filters.pop("also", set())
        views = await self.svc.queries.search(OfferingQuery(**filters, limit=500))
        return {v.offering.details.offering_id for v in views} & among


async def test_kind_domain_and_goal_tag_filter_and_combine(svc: Catalogue) -> None:
    a = await Academy.new(svc)
    course = await a.offer(domains=["pedagogy"], goal_tags=["reading", "safe_school"])
    team = await a.offer(kind="learning_team", domains=["pedagogy", "subject_didactics"])
    workshop = await a.offer(kind="workshop", goal_tags=["reading"])
    assert await a.find(academy_id=a.academy_id) == {course, team, workshop}
    assert await a.find(kind=OfferingKind.LEARNING_TEAM) == {team}
    assert await a.find(domain="pedagogy") == {course, team}
    assert await a.find(domain="school_leadership") == set()
    assert await a.find(goal_tag="reading") == {course, workshop}
    assert await a.find(goal_tag="reading", kind=OfferingKind.COURSE) == {course}
    assert await a.find(goal_tag="reading", domain="subject_didactics") == set()


async def test_academy_id_keeps_to_one_academy(svc: Catalogue) -> None:
    a, b = await Academy.new(svc), await Academy.new(svc)
    mine, theirs = await a.offer(), await b.offer()
    assert await a.find(academy_id=a.academy_id, also={theirs}) == {mine}
    assert await b.find(academy_id=b.academy_id, also={mine}) == {theirs}


async def test_audience_filters_match_the_listed_value_or_an_empty_list(svc: Catalogue) -> None:
    a = await Academy.new(svc)
    everyone = await a.offer()
    leaders_po = await a.offer(audience={"roles": ["school_leader"], "sectors": ["po"]})
    teachers = await a.offer(audience={"roles": ["teacher", "specialist"]})
    vo = await a.offer(audience={"sectors": ["vo"]})
    assert await a.find(role="teacher") == {everyone, teachers, vo}
    assert await a.find(role="school_leader") == {everyone, leaders_po, vo}
    assert await a.find(sector="po") == {everyone, leaders_po, teachers}
    assert await a.find(sector="vo") == {everyone, teachers, vo}
    assert await a.find(role="school_leader", sector="vo") == {everyone, vo}


async def test_dates_match_offerings_with_a_session_starting_in_the_range(svc: Catalogue) -> None:
    a = await Academy.new(svc)
    march = await a.offer(sessions=sessions(MARCH_10, MARCH_10 + timedelta(days=30)))
    april = await a.offer(sessions=sessions(MARCH_10 + timedelta(days=30)))
    # 23:30 UTC on 9 March is 00:30 on 10 March in Amsterdam: the local date counts.
    late = await a.offer(sessions=sessions(datetime(2026, 3, 9, 23, 30, tzinfo=UTC)))
    no_dates = await a.offer()
    assert await a.find(starts_from=date(2026, 3, 10), starts_until=date(2026, 3, 10)) == {
        march,
        late,
    }
    assert await a.find(starts_from=date(2026, 3, 11)) == {march, april}
    assert await a.find(starts_until=date(2026, 3, 9)) == set()
    assert await a.find(starts_until=date(2026, 12, 31)) == {march, april, late}
    assert no_dates in await a.find()


async def test_open_seats_compares_seats_taken_with_capacity(
    svc: Catalogue, catalogue_pool: asyncpg.Pool
) -> None:
    a = await Academy.new(svc)
    full = await a.offer(capacity=2)
    one_left = await a.offer(capacity=2)
    unlimited = await a.offer()
    untouched = await a.offer(capacity=1)
    async with catalogue_pool.acquire() as conn:
        await Store(conn).add_seats(full, 2)
        await Store(conn).add_seats(one_left, 1)
        await Store(conn).add_seats(unlimited, 500)
    assert await a.find(open_seats=True) == {one_left, unlimited, untouched}
    assert await a.find(open_seats=False) == {full, one_left, unlimited, untouched}
    views = {v.offering.details.offering_id: v for v in await svc.queries.search(OfferingQuery())}
    assert (views[full].seats_taken, views[full].seats_free) == (2, 0)
    assert (views[one_left].seats_taken, views[one_left].seats_free) == (1, 1)
    assert (views[unlimited].seats_taken, views[unlimited].seats_free) == (500, None)
    assert (views[untouched].seats_taken, views[untouched].seats_free) == (0, 1)
    one = await svc.queries.offering(one_left)
    assert (one.seats_taken, one.seats_free) == (1, 1)


async def test_visible_to_shows_own_board_offerings_only_to_that_board(svc: Catalogue) -> None:
    own, other = await Academy.new(svc), await Academy.new(svc)
    own_board = await own.offer(visibility="own_board")
    network = await own.offer(visibility="network")
    public = await own.offer(visibility="public")
    others_internal = await other.offer(visibility="own_board")
    every = {own_board, network, public, others_internal}
    assert await own.find(visible_to=own.board_id, also=every) == {own_board, network, public}
    assert await own.find(visible_to=other.board_id, also=every) == {
        network,
        public,
        others_internal,
    }
    assert await own.find(visible_to=uuid.uuid4(), also=every) == {network, public}


async def test_withdrawn_offerings_show_only_when_asked(svc: Catalogue) -> None:
    a = await Academy.new(svc)
    live, gone = await a.offer(), await a.offer()
    await svc.commands.withdraw_offering(gone, "too few sign-ups")
    assert await a.find() == {live}
    assert await a.find(status=StatusFilter.ALL) == {live, gone}
    assert await a.find(status=StatusFilter.WITHDRAWN) == {gone}


async def test_all_filters_together(svc: Catalogue, catalogue_pool: asyncpg.Pool) -> None:
    a = await Academy.new(svc)
    wanted = dict(
        kind="coaching",
        domains=["school_leadership"],
        goal_tags=["leadership"],
        audience={"roles": ["school_leader"], "sectors": ["vo"]},
        sessions=sessions(MARCH_10),
        capacity=3,
        visibility="network",
    )
    match = await a.offer(**wanted)
    full = await a.offer(**wanted)
    wrong_sector = await a.offer(**{**wanted, "audience": {"sectors": ["po"]}})
    async with catalogue_pool.acquire() as conn:
        await Store(conn).add_seats(full, 3)
    query = dict(
        academy_id=a.academy_id,
        kind=OfferingKind.COACHING,
        role="school_leader",
        sector="vo",
        domain="school_leadership",
        goal_tag="leadership",
        starts_from=date(2026, 3, 1),
        starts_until=date(2026, 3, 31),
        open_seats=True,
        visible_to=uuid.uuid4(),
    )
    assert await a.find(**query) == {match}
    assert {match, full, wrong_sector} == a.made
