import asyncio
import json
from collections.abc import AsyncIterator, Generator, Iterator
from datetime import UTC, datetime
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


Row = dict[str, Any]
"""One scenario's figures: the test names its scenario first, adds figures as it goes."""

CALLED = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[CALLED] = report
    return report


@pytest.fixture(scope="session")
def reliability() -> Iterator[dict[str, Row]]:
    """Each scenario's row; the long run writes them to docs/reliability.*."""
    rows: dict[str, Row] = {}
    yield rows
    if LONG and rows:
        write_report(rows)
    print("\nreliability figures:\n" + json.dumps(rows, indent=2))


@pytest.fixture
def row(request: pytest.FixtureRequest, reliability: dict[str, Row]) -> Iterator[Row]:
    """The scenario's row, recorded once the test has run, with its verdict (whatever
    failed: an assertion, the load, settling) and the moment it was decided."""
    figures: Row = {}
    yield figures
    if "scenario" not in figures:
        return
    called = request.node.stash.get(CALLED, None)
    verdict = "passed"
    if called is None or not called.passed:
        why = str(called.longrepr).strip().splitlines()[-1] if called else "not run"
        verdict = f"failed: {why[:300]}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    reliability[figures.pop("scenario")] = {**figures, "verdict": verdict, "date": when}


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
