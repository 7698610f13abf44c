import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from huisacademie.system import SERVICES
from tests.fault import lab as labs
from tests.fault.lab import LONG
from tests.fault.report import write_report
from tests.support.infra import Infrastructure, fresh_database


@pytest.fixture(scope="session")
def fault_infrastructure() -> Iterator[None]:
    labs.start_infrastructure()
    try:
        yield
    finally:
        labs.stop_infrastructure()


@pytest.fixture(scope="session")
def reliability() -> Iterator[dict[str, dict[str, Any]]]:
    """Each scenario's figures; the long run writes them to docs/reliability.*."""
    figures: dict[str, dict[str, Any]] = {}
    yield figures
    if LONG and figures:
        write_report(figures)
    print("\nreliability figures:\n" + json.dumps(figures, indent=2))


@pytest.fixture
async def lab(
    fault_infrastructure: None, request: pytest.FixtureRequest
) -> AsyncIterator[labs.Lab]:
    """A fresh broker, fresh databases, the three services not yet started."""
    await asyncio.to_thread(labs.fresh_kafka)
    infra = Infrastructure(
        labs.LAYOUT.kafka_bootstrap, labs.LAYOUT.database_url("postgres"), "local"
    )
    urls = {name: await fresh_database(infra, f"fault_{name}") for name in SERVICES}
    made = labs.Lab(database_urls=urls)
    labs.first_instances(made)
    made.stop_all()  # leftovers of an interrupted run
    try:
        yield made
    finally:
        await made.stop_supervising()
        await asyncio.to_thread(made.stop_all)
