"""Who signs in on the local stack: the demo board's realm in Keycloak, its people and
clients, and their entries in the directory (what a board's administrators would keep)."""

import asyncio
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from huisacademie.oidc import Keycloak, realm_representation
from services.shared.db import create_pool
from services.shared.identity.access import Role
from services.shared.identity.directory import Directory, Person
from services.shared.identity.tokens import TrustedIssuer

AUDIENCE = "huisacademie"
"""One audience for the three APIs (docs/security.md says why)."""
REALM = "huisacademie"
"""The demo board's realm: in a board's own deployment, its Entra ID tenant or the like."""
CLI_CLIENT = "huisacademie-cli"
INTEGRATION_CLIENT, INTEGRATION_SECRET = "huisacademie-integration", "local-integration-secret"
MONITORING_CLIENT, MONITORING_SECRET = "huisacademie-monitoring", "local-monitoring-secret"
WEB_CLIENT, WEB_SECRET = "huisacademie-web", "local-web-secret"
"""The web application: a confidential client that signs people in (code flow, PKCE)."""
DEMO_PASSWORD = "demo"
"""The local stack's people sign in with this password (the stack listens on 127.0.0.1)."""

_NAMES = uuid.UUID("6f1c3a52-8d1e-4e4f-9a51-2b7f0c1d9e30")


def _id(name: str) -> UUID:
    return uuid.uuid5(_NAMES, name)


DEMO_BOARD = _id("board: Stichting Voorbeeld")
SCHOOLS = {name: _id(f"school: {name}") for name in ("De Linde", "Het Baken", "De Regenboog")}


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    school: str | None
    roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def staff_id(self) -> UUID:
        return _id(f"staff: {self.name}")

    def entry(self, academies: Iterable[UUID] = ()) -> Person:
        schools = frozenset({SCHOOLS[self.school]}) if self.school else frozenset()
        roles = frozenset({Role.STAFF, *self.roles})
        return Person(
            self.staff_id, DEMO_BOARD, self.name, schools, frozenset(academies), roles, self.email
        )

    @property
    def email(self) -> str:
        """Made up, on the board's own domain: the local stack's mail catcher keeps it."""
        return f"{self.username}@voorbeeld.nl"


PEOPLE = (
    DemoPerson("anouk", "Anouk de Vries", "De Linde"),
    DemoPerson("bram", "Bram Jansen", "De Linde"),
    DemoPerson("chantal", "Chantal Bakker", "De Linde"),
    DemoPerson("daan", "Daan Visser", "Het Baken", frozenset({Role.AUDITOR})),
    DemoPerson("eva", "Eva Smit", "De Regenboog", frozenset({Role.AUDITOR})),
    DemoPerson("femke", "Femke de Boer", "De Linde", frozenset({Role.LEADER})),
    DemoPerson("joost", "Joost Mulder", None, frozenset({Role.ACADEMY_ADMIN})),
    DemoPerson("sanne", "Sanne Hendriks", None, frozenset({Role.BOARD_ADMIN})),
    DemoPerson("pieter", "Pieter Kok", None, frozenset({Role.PRIVACY_OFFICER})),
)
BY_USERNAME = {p.username: p for p in PEOPLE}
CLIENTS = {
    INTEGRATION_CLIENT: (INTEGRATION_SECRET, DEMO_BOARD, Role.INTEGRATION),
    MONITORING_CLIENT: (MONITORING_SECRET, None, Role.OPERATOR),
}
FOR_ROLE = {
    Role.STAFF: "bram", Role.LEADER: "femke", Role.ACADEMY_ADMIN: "joost",
    Role.BOARD_ADMIN: "sanne", Role.AUDITOR: "daan", Role.PRIVACY_OFFICER: "pieter",
    Role.INTEGRATION: INTEGRATION_CLIENT, Role.OPERATOR: MONITORING_CLIENT,
}  # fmt: skip
"""Whom `huisacademie token --as ROLE` signs in as."""


def demo_issuer(keycloak_url: str) -> TrustedIssuer:
    """The demo realm's issuer, bound to the demo board: no one else's board signs in there."""
    return TrustedIssuer(issuer=f"{keycloak_url}/realms/{REALM}", boards=(str(DEMO_BOARD),))


def realm(name: str) -> dict[str, object]:
    """A realm of ours: the command line's client, an integration's and the monitoring's."""
    return realm_representation(
        name,
        audience=AUDIENCE,
        integration_secret=INTEGRATION_SECRET,
        monitoring_secret=MONITORING_SECRET,
        web_secret=WEB_SECRET,
    )


def provision_demo(keycloak: Keycloak, directory_url: str) -> None:
    """The demo realm with its people and clients, and their entries in the (migrated)
    directory at `directory_url`; idempotent (a person's academies, which the demo sets, are
    kept)."""
    keycloak.ensure_realm(realm(REALM))
    keycloak.ensure_clients(realm(REALM))
    issuer = keycloak.issuer(REALM)
    subjects = {
        p.username: keycloak.ensure_user(
            REALM, p.username, DEMO_PASSWORD, first_name=p.name.split(" ")[0],
            last_name=p.name.split(" ", 1)[1],
        )
        for p in PEOPLE
    }  # fmt: skip
    clients = {client: keycloak.service_account_subject(REALM, client) for client in CLIENTS}
    asyncio.run(_enter(directory_url, issuer, subjects, clients))


async def _enter(
    directory_url: str, issuer: str, subjects: dict[str, str], clients: dict[str, str]
) -> None:
    pool = await create_pool(directory_url, min_size=1, max_size=2)
    try:
        known = Directory(pool, ttl_s=0)
        for person in PEOPLE:
            kept = await known.person(person.staff_id)
            await known.put_person(person.entry(kept.academies if kept else ()))
            await known.bind(issuer, subjects[person.username], person.staff_id)
        for client, subject in clients.items():
            _, board, role = CLIENTS[client]
            await known.put_client(issuer, subject, client, board, [role])
    finally:
        await pool.close()


async def grant_academy(directory_url: str, username: str, academy_id: UUID) -> None:
    """Make a demo person administrator of an academy (as the board's administrator would)."""
    pool = await create_pool(directory_url, min_size=1, max_size=1)
    try:
        known = Directory(pool, ttl_s=0)
        person = BY_USERNAME[username]
        kept = await known.person(person.staff_id)
        academies = {academy_id, *(kept.academies if kept else ())}
        await known.put_person(person.entry(academies))
    finally:
        await pool.close()


async def place(directory_url: str, staff_id: UUID, name: str, school: str) -> None:
    """A staff member of the demo board who does not sign in (a supply teacher), placed in
    a school, as the board's administrator would."""
    pool = await create_pool(directory_url, min_size=1, max_size=1)
    try:
        person = Person(staff_id, DEMO_BOARD, name, frozenset({SCHOOLS[school]}))
        await Directory(pool, ttl_s=0).put_person(person)
    finally:
        await pool.close()


def token(keycloak: Keycloak, who: str) -> str:
    """A token for a demo person (by username) or client."""
    if who in CLIENTS:
        return keycloak.client_token(REALM, who, CLIENTS[who][0])
    return keycloak.password_token(REALM, CLI_CLIENT, who, DEMO_PASSWORD)
