import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from huisacademie import identity, migrate, stack
from huisacademie.oidc import Keycloak
from huisacademie.stack import StackLayout
from huisacademie.stack.databases import DIRECTORY, Databases
from huisacademie.stack.postgres import local_databases
from huisacademie.system import SERVICES
from services.shared.identity.tokens import TrustedIssuer
from tests.fault import lab as labs
from tests.fault.lab import LONG
from tests.fault.report import write_report
from tests.support.people import TEST_REALM, People


@dataclass(frozen=True)
class FaultIdentity:
    """The fault stack's identity provider, directory and the people who sign in."""

    databases: Databases
    """The fault stack's: the directory made once, the services' afresh for each test."""
    issuers: tuple[TrustedIssuer, ...]
    people: People


@pytest.fixture(scope="session")
def fault_infrastructure() -> Iterator[FaultIdentity]:
    keycloak_url = labs.start_infrastructure()
    try:
        with Keycloak(keycloak_url) as keycloak:
            keycloak.ensure_realm(identity.realm(TEST_REALM))
            databases = local_databases(labs.LAYOUT, "fault_")
            asyncio.run(migrate.prepare(databases, fresh=True))
            issuers = (TrustedIssuer(issuer=keycloak.issuer(TEST_REALM)),)
            people = People(keycloak, TEST_REALM, databases.migration_url(DIRECTORY))
            yield FaultIdentity(databases, issuers, people)
            people.close()
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
async def lab(fault_infrastructure: FaultIdentity) -> AsyncIterator[labs.Lab]:
    """A fresh broker, fresh databases, the services not yet started."""
    await asyncio.to_thread(labs.fresh_kafka)
    async with _lab(fault_infrastructure, labs.LAYOUT) as made:
        yield made


@pytest.fixture
async def cluster_lab(fault_infrastructure: FaultIdentity) -> AsyncIterator[labs.Lab]:
    """A fresh cluster of three Kafka nodes behind the partitioning proxy, fresh databases,
    two instances of every service, not yet started."""
    await asyncio.to_thread(labs.fresh_cluster)
    try:
        async with _lab(fault_infrastructure, labs.CLUSTER, instances=2) as made:
            yield made
    finally:
        await asyncio.to_thread(labs.stop_cluster)


@contextlib.asynccontextmanager
async def _lab(
    infrastructure: FaultIdentity, layout: StackLayout, instances: int = 1
) -> AsyncIterator[labs.Lab]:
    await migrate.prepare(infrastructure.databases, fresh=True, which=SERVICES)
    made = labs.Lab(infrastructure.databases, infrastructure.issuers, infrastructure.people)
    made.layout = layout
    labs.first_instances(made)
    if instances > 1:
        for service in SERVICES:
            made.add(f"{service}-2", service, labs.SECOND_PORTS[service])
    made.stop_all()  # leftovers of an interrupted run, and test_cluster.py's third instances
    for service in ("portfolio", "enrollment"):
        stack.stop_process(f"{service}-3", layout, timeout=30)
    try:
        yield made
    finally:
        await made.stop_supervising()
        await asyncio.to_thread(made.stop_all)
