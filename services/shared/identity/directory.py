"""The directory: who each verified caller is in huisacademie (staff id, board, schools,
academies, roles), and where each staff member works. Its own database, maintained by
board administrators; every service reads it through this module."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg

from services.shared.cache import Cache
from services.shared.identity.access import Principal, Role, Target

MIGRATIONS = Path(__file__).parent / "migrations"
CACHE_TTL_S = 30.0
"""How long a directory answer is reused. A change made through this module is announced
(NOTIFY) and forgotten at once by every listening service; this bounds the rest."""
CHANNEL = "directory_changed"


@dataclass(frozen=True)
class Person:
    """A person as the board's administrators keep them."""

    staff_id: UUID
    board_id: UUID
    name: str
    schools: frozenset[UUID] = frozenset()
    academies: frozenset[UUID] = frozenset()
    roles: frozenset[Role] = frozenset({Role.STAFF})
    email: str | None = None
    """Where notices about their enrolments go (none: they get none)."""

    def target(self) -> Target:
        return Target(staff_id=self.staff_id, board_id=self.board_id, schools=self.schools)


_PERSON = "staff_id, board_id, name, schools, academies, roles, email"


def _person(row: asyncpg.Record) -> Person:
    return Person(
        row["staff_id"], row["board_id"], row["name"], frozenset(row["schools"]),
        frozenset(row["academies"]), frozenset(Role(r) for r in row["roles"]), row["email"],
    )  # fmt: skip


class Directory:
    def __init__(self, pool: asyncpg.Pool, ttl_s: float = CACHE_TTL_S) -> None:
        self.pool = pool
        self._principals: Cache[tuple[str, str], Principal] = Cache(ttl_s)
        self._people: Cache[UUID, Person] = Cache(ttl_s)
        self._listening: asyncpg.Connection | None = None

    async def listen(self, url: str) -> None:
        """Forget every cached answer whenever the directory changes."""
        self._listening = await asyncpg.connect(url)
        await self._listening.add_listener(CHANNEL, self._forget)

    async def close(self) -> None:
        if self._listening is not None:
            await self._listening.close()

    def _forget(self, *_: object) -> None:
        self._principals.entries.clear()
        self._people.entries.clear()

    async def principal(self, issuer: str, subject: str) -> Principal | None:
        """Who signs in as `subject` at `issuer`, or None when the directory does not know."""
        if (cached := self._principals.get((issuer, subject))) is not None:
            return cached
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT {_PERSON} FROM sign_ins JOIN people USING (staff_id)"
                " WHERE issuer = $1 AND subject = $2",
                issuer,
                subject,
            )
            if row is not None:
                p = self._people.put(row["staff_id"], _person(row))  # what they do next needs it
                return self._principals.put(
                    (issuer, subject),
                    Principal(issuer, subject, p.name, p.board_id, p.roles, p.staff_id,
                              p.schools, p.academies),
                )  # fmt: skip
            row = await conn.fetchrow(
                "SELECT name, board_id, roles FROM clients WHERE issuer = $1 AND subject = $2",
                issuer,
                subject,
            )
        if row is None:
            return None
        roles = frozenset(Role(r) for r in row["roles"])
        return self._principals.put(
            (issuer, subject), Principal(issuer, subject, row["name"], row["board_id"], roles)
        )

    async def person(self, staff_id: UUID) -> Person | None:
        if (cached := self._people.get(staff_id)) is not None:
            return cached
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(f"SELECT {_PERSON} FROM people WHERE staff_id = $1", staff_id)
        return None if row is None else self._people.put(staff_id, _person(row))

    async def staff_target(self, staff_id: UUID) -> Target:
        """What a record about this staff member is, for access: unknown to the directory,
        it is theirs alone."""
        person = await self.person(staff_id)
        return Target(staff_id=staff_id) if person is None else person.target()

    async def school_target(self, school_id: UUID) -> Target:
        """A school's records, for access: of the board its staff are in (schools are
        known by the people the board's administrators place in them)."""
        async with self.pool.acquire() as conn:
            boards = await conn.fetch(
                "SELECT DISTINCT board_id FROM people WHERE $1 = ANY(schools)", school_id
            )
        board = boards[0]["board_id"] if len(boards) == 1 else None
        return Target(board_id=board, schools=frozenset({school_id}))

    async def people(self, staff_ids: Iterable[UUID]) -> dict[UUID, Person]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {_PERSON} FROM people WHERE staff_id = ANY($1)", list(staff_ids)
            )
        return {r["staff_id"]: _person(r) for r in rows}

    async def members(self, board_id: UUID, school_id: UUID | None = None) -> list[Person]:
        """The board's people (of one school, if given), by name."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {_PERSON} FROM people WHERE board_id = $1"
                " AND ($2::uuid IS NULL OR $2 = ANY(schools)) ORDER BY name, staff_id",
                board_id,
                school_id,
            )
        return [_person(r) for r in rows]

    async def leaders_of(self, school_id: UUID) -> list[Person]:
        """The school's leaders (who approve its staff's requests)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {_PERSON} FROM people WHERE $1 = ANY(schools) AND 'leader' = ANY(roles)"
                " ORDER BY name",
                school_id,
            )
        return [_person(r) for r in rows]

    async def sign_ins(self, staff_id: UUID) -> list[tuple[str, str]]:
        """How the person signs in: (issuer, subject) at each identity provider."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT issuer, subject FROM sign_ins WHERE staff_id = $1 ORDER BY issuer",
                staff_id,
            )
        return [(r["issuer"], r["subject"]) for r in rows]

    # Maintenance: board administrators (through the CLI today), the demo and the tests.

    async def put_person(self, person: Person) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"INSERT INTO people ({_PERSON}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT (staff_id) DO UPDATE SET board_id = $2, name = $3, schools = $4,"
                " academies = $5, roles = $6, email = $7, updated_at = now()",
                person.staff_id, person.board_id, person.name, sorted(person.schools),
                sorted(person.academies), sorted(person.roles), person.email,
            )  # fmt: skip
        await self._changed()

    async def forget(self, staff_id: UUID) -> bool:
        """An erased person: their name, board, schools, roles and every sign-in go, so
        nothing links their staff id to them any more. False when they were not here."""
        async with self.pool.acquire() as conn:
            gone = await conn.fetchval(
                "DELETE FROM people WHERE staff_id = $1 RETURNING staff_id", staff_id
            )
        await self._changed()
        return gone is not None

    async def bind(self, issuer: str, subject: str, staff_id: UUID) -> None:
        """The person signs in as `subject` at `issuer`."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO sign_ins (issuer, subject, staff_id) VALUES ($1, $2, $3)"
                " ON CONFLICT (issuer, subject) DO UPDATE SET staff_id = $3",
                issuer,
                subject,
                staff_id,
            )
        await self._changed()

    async def put_client(
        self, issuer: str, subject: str, name: str, board_id: UUID | None, roles: Iterable[Role]
    ) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO clients (issuer, subject, name, board_id, roles)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (issuer, subject)"
                " DO UPDATE SET name = $3, board_id = $4, roles = $5",
                issuer, subject, name, board_id, sorted(roles),
            )  # fmt: skip
        await self._changed()

    async def _changed(self) -> None:
        self._forget()
        async with self.pool.acquire() as conn:
            await conn.execute(f"NOTIFY {CHANNEL}")
