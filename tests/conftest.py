import asyncio
from collections.abc import Iterator

import pytest

from contracts.topics import all_topics
from tests.support.infra import Infrastructure, create_topics, provide


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    with provide() as infra:
        asyncio.run(create_topics(infra.kafka_bootstrap, all_topics()))
        yield infra
