import asyncio
from collections.abc import Iterator

import pytest

from contracts.topics import all_topics
from huisacademie import identity, stack
from huisacademie.demo import Endpoints, SignIn
from huisacademie.oidc import Keycloak
from huisacademie.system import SERVICES, TEST_PORTS, System
from services.shared.db import migrate
from services.shared.identity import directory
from services.shared.identity.tokens import TrustedIssuer
from tests.support.infra import Infrastructure, create_topics, fresh_database, provide
from tests.support.people import TEST_REALM, People

NOORD_REALM = "noord"
"""A second board's realm: its issuer is bound to NOORD_BOARD."""
NOORD_BOARD = "0b0a9d8e-5c1f-4c57-9a47-6f1e2d3c4b5a"


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    with provide() as infra:
        asyncio.run(create_topics(infra.kafka_bootstrap, all_topics()))
        yield infra


@pytest.fixture(scope="session")
def keycloak(infrastructure: Infrastructure) -> Iterator[Keycloak]:
    """The identity provider, with the demo board's realm, the tests' and a second board's."""
    with Keycloak(infrastructure.keycloak_url) as provider:
        provider.ensure_realm(identity.realm(TEST_REALM))
        provider.ensure_realm(identity.realm(NOORD_REALM))
        yield provider


@pytest.fixture(scope="session")
def directory_url(infrastructure: Infrastructure, keycloak: Keycloak) -> str:
    """A fresh directory, with the demo board's people in it."""

    async def fresh() -> str:
        url = await fresh_database(infrastructure, "e2e_directory")
        await migrate(url, [directory.MIGRATIONS])
        return url

    url = asyncio.run(fresh())
    identity.provision_demo(keycloak, url)
    return url


@pytest.fixture(scope="session")
def issuers(keycloak: Keycloak) -> tuple[TrustedIssuer, ...]:
    return (
        identity.demo_issuer(keycloak.base_url),
        TrustedIssuer(issuer=keycloak.issuer(TEST_REALM)),
        TrustedIssuer(issuer=keycloak.issuer(NOORD_REALM), boards=(NOORD_BOARD,)),
    )


@pytest.fixture(scope="session")
def people(keycloak: Keycloak, directory_url: str) -> Iterator[People]:
    """Makes the people (and clients) who sign in for a test."""
    made = People(keycloak, TEST_REALM, directory_url)
    yield made
    made.close()


@pytest.fixture(scope="session")
def system(
    infrastructure: Infrastructure, directory_url: str, issuers: tuple[TrustedIssuer, ...]
) -> Iterator[System]:
    """The three services as real processes, each with a fresh database (for the e2e and
    fault tests alike: one set of processes per test session)."""

    async def databases() -> dict[str, str]:
        return {name: await fresh_database(infrastructure, f"e2e_{name}") for name in SERVICES}

    urls = asyncio.run(databases())
    running = System(
        stack.test_layout(), TEST_PORTS, infrastructure.kafka_bootstrap, urls, directory_url,
        issuers, docs=True, kafka_access=infrastructure.kafka_access,
    )  # fmt: skip
    running.stop_services()  # leftovers of an interrupted run
    running.start_services()
    try:
        yield running
    finally:
        running.stop_services()


@pytest.fixture(scope="session")
def sign_in(keycloak: Keycloak, directory_url: str) -> SignIn:
    """How the demo's people sign in (the demo board's realm)."""
    return SignIn(keycloak.base_url, directory_url)


@pytest.fixture(scope="session")
def endpoints(system: System) -> Endpoints:
    return Endpoints(*(system.url(name) for name in SERVICES))
