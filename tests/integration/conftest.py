import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from contracts.topics import dead_letter
from services.shared.db import SHARED_MIGRATIONS, create_pool, migrate
from services.shared.privacy.sealing import Sealer
from tests.support.infra import Infrastructure, create_topics, fresh_database
from tests.support.probe import PROBE_TOPIC
from tests.support.sealing import session_sealer


@pytest.fixture(scope="session", autouse=True)
async def sealer(infrastructure: Infrastructure) -> AsyncIterator[Sealer]:
    """The key store the use cases driven in process seal with (tests.support.sealing)."""
    async with session_sealer(infrastructure) as opened:
        yield opened


@pytest.fixture(scope="session")
async def plumbing_db(infrastructure: Infrastructure) -> str:
    url = await fresh_database(infrastructure, "it_plumbing")
    await migrate(url, [SHARED_MIGRATIONS])
    conn = await asyncpg.connect(url)
    # No key on purpose: an effect applied twice shows up as two rows.
    await conn.execute(
        "CREATE TABLE effects (event_id uuid NOT NULL, staff_id uuid, hours numeric)"
    )
    await conn.close()
    await create_topics(infrastructure.kafka_bootstrap, [(PROBE_TOPIC, 6)])
    return url


@pytest.fixture
async def pool(plumbing_db: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(plumbing_db)
    yield pool
    await pool.close()


@pytest.fixture
async def topic(infrastructure: Infrastructure) -> str:
    """A fresh topic with three partitions, and its dead-letter topic."""
    name = f"it.events.{uuid.uuid4().hex[:12]}"
    await create_topics(infrastructure.kafka_bootstrap, [(name, 3), (dead_letter(name), 1)])
    return name
