"""People who sign in for the tests: each a real user of the stack's identity provider
(Keycloak), signed in with the password grant, and placed in the directory as a board's
administrator would (staff id, board, schools, academies, roles)."""

import asyncio
import threading
import time
import uuid
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

import httpx
import jwt

from huisacademie.oidc import Keycloak
from services.shared.db import create_pool
from services.shared.identity.access import Role
from services.shared.identity.directory import Directory, Person

T = TypeVar("T")
TEST_REALM = "tests"
"""The tests' people: a federation-like issuer (no board of its own), so each test places
its people on boards of its own in the directory."""
CLI_CLIENT = "huisacademie-cli"
PASSWORD = "local-test-password"


class _Loop:
    """An event loop of its own in a thread: the directory's asyncpg calls from sync tests
    and from async ones alike."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)


@dataclass
class Caller:
    """Someone who signs in; `headers` carry a fresh token (signed in again near expiry)."""

    keycloak: Keycloak = field(repr=False)
    realm: str
    username: str
    subject: str
    staff_id: UUID | None
    board_id: UUID | None
    roles: frozenset[Role]
    schools: frozenset[UUID] = frozenset()
    academies: frozenset[UUID] = frozenset()
    client_secret: str | None = field(default=None, repr=False)
    _token: str = field(default="", repr=False)
    _expires: float = 0.0

    @property
    def id(self) -> str:
        """The staff id as a string, as the API's paths and bodies take it."""
        return str(self.staff_id)

    @property
    def board(self) -> str:
        return str(self.board_id)

    @property
    def token(self) -> str:
        if time.time() > self._expires - 60:
            if self.client_secret is not None:
                self._token = self.keycloak.client_token(
                    self.realm, self.username, self.client_secret
                )
            else:
                self._token = self.keycloak.password_token(
                    self.realm, CLI_CLIENT, self.username, PASSWORD
                )
            claims = jwt.decode(self._token, options={"verify_signature": False})
            self._expires = float(claims["exp"])
        return self._token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def http(self, **kwargs: Any) -> httpx.Client:
        """A client that sends this caller's token (fresh) with every request."""
        return httpx.Client(auth=_Bearer(self), **kwargs)

    def async_http(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(auth=_Bearer(self), **kwargs)


class _Bearer(httpx.Auth):
    def __init__(self, caller: Caller) -> None:
        self.caller = caller

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self.caller.token}"
        yield request


class People:
    """Makes callers: a new identity-provider user (or client) and its directory entry."""

    def __init__(self, keycloak: Keycloak, realm: str, directory_url: str) -> None:
        self.keycloak = keycloak
        self.realm = realm
        self.issuer = keycloak.issuer(realm)
        self._loop = _Loop()
        self._pool = self._loop.run(create_pool(directory_url, min_size=1, max_size=2))
        self.directory = Directory(self._pool, ttl_s=0)

    def close(self) -> None:
        self._loop.run(self._pool.close())

    def person(
        self,
        *roles: Role,
        board: UUID | str | None = None,
        schools: Iterable[UUID | str] = (),
        academies: Iterable[UUID | str] = (),
        staff_id: UUID | str | None = None,
        name: str = "",
        email: str | None = None,
    ) -> Caller:
        """A staff member (every person is), with the roles given besides; `email`: where
        the web application's notices to them go (none: they get none)."""
        staff = UUID(str(staff_id)) if staff_id else uuid.uuid4()
        board_id = UUID(str(board)) if board else uuid.uuid4()
        username = f"t-{uuid.uuid4().hex[:16]}"
        subject = self.keycloak.create_user(self.realm, username, PASSWORD)
        entry = Person(
            staff, board_id, name or username, frozenset(UUID(str(s)) for s in schools),
            frozenset(UUID(str(a)) for a in academies), frozenset({Role.STAFF, *roles}), email,
        )  # fmt: skip
        self._loop.run(self.directory.put_person(entry))
        self._loop.run(self.directory.bind(self.issuer, subject, staff))
        return Caller(
            self.keycloak, self.realm, username, subject, staff, board_id, entry.roles,
            entry.schools, entry.academies,
        )  # fmt: skip

    def staff(self, board: UUID | str | None = None, **kwargs: Any) -> Caller:
        return self.person(board=board, **kwargs)

    def leader(self, board: UUID | str | None, *schools: UUID | str, **kwargs: Any) -> Caller:
        return self.person(Role.LEADER, board=board, schools=schools, **kwargs)

    def academy_admin(self, board: UUID | str | None, *academies: UUID | str) -> Caller:
        return self.person(Role.ACADEMY_ADMIN, board=board, academies=academies)

    def board_admin(self, board: UUID | str | None) -> Caller:
        return self.person(Role.BOARD_ADMIN, board=board)

    def place(self, staff_id: UUID | str, board: UUID | str, *schools: UUID | str) -> None:
        """A staff member who never signs in, placed in schools (a team member, say)."""
        person = Person(
            UUID(str(staff_id)), UUID(str(board)), "placed by the test",
            frozenset(UUID(str(s)) for s in schools),
        )  # fmt: skip
        self._loop.run(self.directory.put_person(person))

    def remove(self, staff_id: UUID | str) -> None:
        """Gone from the directory, as when HR removes someone who left."""
        self._loop.run(self.directory.forget(UUID(str(staff_id))))

    def client(self, client_id: str, secret: str, board: UUID | str | None, *roles: Role) -> Caller:
        """A client of the realm with the client-credentials grant, in the directory."""
        token = self.keycloak.client_token(self.realm, client_id, secret)
        subject = str(jwt.decode(token, options={"verify_signature": False})["sub"])
        board_id = UUID(str(board)) if board else None
        self._loop.run(self.directory.put_client(self.issuer, subject, client_id, board_id, roles))
        return Caller(
            self.keycloak, self.realm, client_id, subject, None, board_id, frozenset(roles),
            client_secret=secret,
        )  # fmt: skip
