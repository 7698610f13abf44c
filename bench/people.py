"""The benchmarks' people: thousands of users of the bench realm, each with a directory entry
placing them on a board, made in bulk (Keycloak's partial import, COPY into the directory),
and their tokens, fetched with a bounded number in flight and renewed before they run out.

tests/support/people.py makes one person at a time (a user, a directory entry, a token),
which suits a test's handful, not a burst of 10,000."""

import asyncio
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from uuid import UUID

import aiohttp
import asyncpg

from bench.stack import Identity
from huisacademie.identity import CLI_CLIENT
from services.shared.identity.access import Role
from services.shared.identity.directory import CHANNEL

PASSWORD = "local-bench-password"
IMPORT_CHUNK = 50
"""Users per partial import: Keycloak's time grows with the square of one call's users
(huisacademie/oidc.py); 50 at a time costs about 3.5 ms a user on 2 CPUs, half of it the
password."""
IN_FLIGHT = 8
"""Password grants at once. Keycloak is CPU bound on them (about 50 ms of its CPU each, on
2 CPUs): more in flight only queue, fewer leave a core idle."""
ATTEMPTS = 3


@dataclass(eq=False)
class Person:
    """A user of the bench realm, in the directory, and their latest token."""

    username: str
    staff_id: UUID
    board_id: UUID
    roles: frozenset[Role]
    subject: str = ""
    token: str = field(default="", repr=False)
    expires: float = float("-inf")
    """When the token runs out (time.monotonic()); taken when it was asked for."""

    @property
    def id(self) -> str:
        """The staff id as the API's paths and bodies take it."""
        return str(self.staff_id)

    def valid_for(self) -> float:
        """Seconds the token has left."""
        return self.expires - time.monotonic()


@dataclass(frozen=True)
class Made:
    """How long making a group of people took: their users and their directory entries."""

    count: int
    users_s: float
    directory_s: float


class SignInFailed(RuntimeError):
    """Keycloak gave no token."""


class People:
    """Makes the benchmarks' people on the bench stack's identity provider and directory,
    and signs them in."""

    def __init__(self, identity: Identity, *, in_flight: int = IN_FLIGHT) -> None:
        self.identity = identity
        self._token_url = (
            f"{identity.keycloak_url}/realms/{identity.realm}/protocol/openid-connect/token"
        )
        self._in_flight = in_flight
        self._gate = asyncio.Semaphore(in_flight)
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "People":
        connector = aiohttp.TCPConnector(limit=self._in_flight)
        self._http = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=60)
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.close()

    # Making people

    async def make(
        self,
        board: UUID,
        count: int,
        *,
        prefix: str,
        roles: Iterable[Role] = (),
    ) -> tuple[list[Person], Made]:
        """`count` new staff members of `board` (with `roles` besides): users of the bench
        realm and their directory entries."""
        tag = uuid.uuid4().hex[:8]
        made = [
            Person(f"{prefix}-{tag}-{n:05d}", uuid.uuid4(), board, frozenset({Role.STAFF, *roles}))
            for n in range(count)
        ]
        began = time.perf_counter()
        subjects = await asyncio.to_thread(self._import, [p.username for p in made])
        for person in made:
            person.subject = subjects[person.username]
        users_s = time.perf_counter() - began
        began = time.perf_counter()
        await self._enter(made)
        return made, Made(count, users_s, time.perf_counter() - began)

    def _import(self, usernames: Sequence[str]) -> dict[str, str]:
        credentials = [{"type": "password", "value": PASSWORD, "temporary": False}]
        subjects: dict[str, str] = {}
        with self.identity.keycloak() as keycloak:
            for start in range(0, len(usernames), IMPORT_CHUNK):
                users = [
                    {"username": name, "enabled": True, "credentials": credentials}
                    for name in usernames[start : start + IMPORT_CHUNK]
                ]
                subjects.update(keycloak.import_users(self.identity.realm, users))
        return subjects

    async def _enter(self, made: Sequence[Person]) -> None:
        """Their directory entries, as a board's administrators would keep them, in one
        transaction; the services hear of it (NOTIFY) as they would of any change."""
        conn = await asyncpg.connect(self.identity.directory_url)
        try:
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "people",
                    columns=["staff_id", "board_id", "name", "roles"],
                    records=[(p.staff_id, p.board_id, p.username, sorted(p.roles)) for p in made],
                )
                await conn.copy_records_to_table(
                    "sign_ins",
                    columns=["issuer", "subject", "staff_id"],
                    records=[(self.identity.issuer, p.subject, p.staff_id) for p in made],
                )
                await conn.execute(f"NOTIFY {CHANNEL}")
        finally:
            await conn.close()

    async def grant_academy(self, person: Person, academy_id: UUID) -> None:
        """Make the person an administrator of the academy, as the board's would."""
        conn = await asyncpg.connect(self.identity.directory_url)
        try:
            async with conn.transaction():
                await conn.execute(
                    "UPDATE people SET academies = array_append(academies, $2),"
                    " updated_at = now() WHERE staff_id = $1",
                    person.staff_id,
                    academy_id,
                )
                await conn.execute(f"NOTIFY {CHANNEL}")
        finally:
            await conn.close()

    # Signing in

    async def sign_in(self, people: Sequence[Person], *, valid_for: float = 60.0) -> int:
        """A new token (password grant) for each person whose token has less than
        `valid_for` seconds left, at most `in_flight` asked for at once; how many."""
        stale = [p for p in people if p.valid_for() < valid_for]
        await asyncio.gather(*(self._sign_in(p) for p in stale))
        return len(stale)

    async def hold(
        self, people: Sequence[Person], *, valid_for: float, rounds: int = 5
    ) -> tuple[int, float]:
        """Every person with a token valid for `valid_for` seconds more, all at once (the
        first signed in may run out while the last are: they are signed in again); how many
        tokens that took, and how many seconds."""
        began, tokens = time.perf_counter(), 0
        for _ in range(rounds):
            fetched = await self.sign_in(people, valid_for=valid_for)
            if not fetched:
                return tokens, time.perf_counter() - began
            tokens += fetched
        raise SignInFailed(
            f"{len(people):,} tokens cannot be held valid at once: Keycloak signs people in"
            " more slowly than their tokens run out"
        )

    async def headers(self, person: Person, *, valid_for: float = 30.0) -> dict[str, str]:
        """The person's Authorization header, with a token renewed if it runs out soon."""
        if person.valid_for() < valid_for:
            await self._sign_in(person)
        return {"Authorization": f"Bearer {person.token}"}

    async def _sign_in(self, person: Person) -> None:
        assert self._http is not None, "use People as an async context manager"
        form = {
            "grant_type": "password",
            "client_id": CLI_CLIENT,
            "username": person.username,
            "password": PASSWORD,
        }
        failure = ""
        for attempt in range(ATTEMPTS):
            async with self._gate:
                asked = time.monotonic()
                try:
                    async with self._http.post(self._token_url, data=form) as response:
                        if response.status == 200:
                            got: dict[str, Any] = await response.json()
                            person.token = str(got["access_token"])
                            person.expires = asked + float(got["expires_in"])
                            return
                        failure = f"{response.status} {await response.text()}"
                        if response.status < 500:
                            break
                except (aiohttp.ClientError, TimeoutError) as e:
                    failure = repr(e)
            await asyncio.sleep(0.5 * (attempt + 1))
        raise SignInFailed(f"no token for {person.username}: {failure}")
