import asyncio
import shutil
from collections.abc import Iterator

import pytest

from contracts.topics import all_topics
from huisacademie import identity, migrate, stack
from huisacademie.demo import Endpoints, SignIn
from huisacademie.oidc import Keycloak
from huisacademie.stack.databases import DIRECTORY, Databases
from huisacademie.stack.lrs import start_lrs, stop_lrs
from huisacademie.stack.mail import maildir, start_mail_catcher, stop_mail_catcher
from huisacademie.system import SERVICES, TEST_PORTS, System
from services.shared.identity.tokens import TrustedIssuer
from tests.support.infra import Infrastructure, create_topics, provide
from tests.support.mail import Mailbox
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
        for realm in (TEST_REALM, NOORD_REALM):
            provider.ensure_realm(identity.realm(realm))
            provider.ensure_clients(identity.realm(realm))
        yield provider


@pytest.fixture(scope="session")
def databases(infrastructure: Infrastructure) -> Databases:
    """Fresh databases of the services and the directory (owned by the migration role),
    migrated as `huisacademie migrate` does."""
    made = infrastructure.databases("e2e_")
    asyncio.run(migrate.prepare(made, fresh=True))
    return made


@pytest.fixture(scope="session")
def directory_url(databases: Databases, keycloak: Keycloak) -> str:
    """The directory (as the role that maintains it), with the demo board's people in it."""
    url = databases.migration_url(DIRECTORY)
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
def mailbox() -> Iterator[Mailbox]:
    """The tests' mail catcher (a real SMTP server, on the tests' own port), its Maildir
    emptied first: what the web application sends arrives here. Always this process's own,
    also beside servers named by environment variables: it costs a Python process."""
    layout = stack.test_layout()
    stop_mail_catcher(layout)  # a leftover of an interrupted run
    shutil.rmtree(maildir(layout), ignore_errors=True)
    start_mail_catcher(layout)
    try:
        yield Mailbox(maildir(layout))
    finally:
        stop_mail_catcher(layout)


@pytest.fixture(scope="session")
def lrs() -> Iterator[str]:
    """The tests' learning record store (Ralph, on the tests' own port), emptied first; its
    xAPI endpoint."""
    layout = stack.test_layout()
    stop_lrs(layout)
    shutil.rmtree(layout.root / "lrs", ignore_errors=True)
    url = start_lrs(layout)
    try:
        yield url
    finally:
        stop_lrs(layout)


@pytest.fixture(scope="session")
def system(
    infrastructure: Infrastructure,
    databases: Databases,
    directory_url: str,
    issuers: tuple[TrustedIssuer, ...],
    mailbox: Mailbox,
) -> Iterator[System]:
    """The three services as real processes, each on its fresh database as its own role
    (for the e2e and fault tests alike: one set of processes per test session)."""
    running = System(
        stack.test_layout(), TEST_PORTS, infrastructure.kafka_bootstrap, databases, issuers,
        docs=True, kafka_access=infrastructure.kafka_access,
        web_issuer=issuers[1].issuer,  # the tests' people sign in to the web application
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
