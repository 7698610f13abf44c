import asyncio
from collections.abc import Iterator

import pytest

from contracts.topics import all_topics
from huisacademie import stack
from huisacademie.demo import Endpoints
from huisacademie.system import SERVICES, TEST_PORTS, System
from tests.support.infra import Infrastructure, create_topics, fresh_database, provide


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    with provide() as infra:
        asyncio.run(create_topics(infra.kafka_bootstrap, all_topics()))
        yield infra


@pytest.fixture(scope="session")
def system(infrastructure: Infrastructure) -> Iterator[System]:
    """The three services as real processes, each with a fresh database (for the e2e and
    fault tests alike: one set of processes per test session)."""

    async def databases() -> dict[str, str]:
        return {name: await fresh_database(infrastructure, f"e2e_{name}") for name in SERVICES}

    urls = asyncio.run(databases())
    running = System(stack.test_layout(), TEST_PORTS, infrastructure.kafka_bootstrap, urls)
    running.stop_services()  # leftovers of an interrupted run
    running.start_services()
    try:
        yield running
    finally:
        running.stop_services()


@pytest.fixture(scope="session")
def endpoints(system: System) -> Endpoints:
    return Endpoints(*(system.url(name) for name in SERVICES))
