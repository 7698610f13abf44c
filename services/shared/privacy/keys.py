"""The key store: each staff member's key, in a database of its own, wrapped by the master
key (from settings; a real deployment holds it in a KMS). Every service that seals or
reads what people wrote reaches it through this module; erasing a person destroys their
key, which makes every sealed copy of their text unreadable at once, wherever it is."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg

from services.shared.cache import Cache
from services.shared.db import Connection, create_pool
from services.shared.privacy import crypto

MIGRATIONS = Path(__file__).parent / "migrations"
CHANNEL = "subject_keys_erased"
_ERASED = b""
"""What the cache holds for an erased person."""
CACHE_TTL_S = 60.0
"""How long an unwrapped key is reused. An erasure is announced (NOTIFY) and forgotten at
once by every listening process; this bounds the rest."""


@dataclass(frozen=True)
class Keys:
    """What a lookup found: the keys of those who have one, and who was erased."""

    found: dict[UUID, bytes]
    erased: frozenset[UUID]


class KeyStore:
    def __init__(self, pool: asyncpg.Pool, master: bytes, ttl_s: float = CACHE_TTL_S) -> None:
        if len(master) != crypto.KEY_BYTES:
            raise ValueError(f"the master key must be {crypto.KEY_BYTES} bytes")
        self.pool = pool
        self._master = master
        self._cache: Cache[UUID, bytes] = Cache(ttl_s)
        self._listening: asyncpg.Connection | None = None

    async def listen(self, url: str) -> None:
        """Forget a key as soon as its person is erased, in whichever process erased them."""
        self._listening = await asyncpg.connect(url)
        await self._listening.add_listener(CHANNEL, self._forget)

    def _forget(self, _conn: Connection, _pid: int, _channel: str, subject: object) -> None:
        self._cache.put(UUID(str(subject)), _ERASED)

    async def close(self) -> None:
        if self._listening is not None:
            await self._listening.close()
        await self.pool.close()

    async def keys(self, subjects: Iterable[UUID], *, make: bool) -> Keys:
        """The keys of `subjects`; `make`: make one for whoever has none yet (a person once
        erased never gets one again)."""
        found: dict[UUID, bytes] = {}
        erased: set[UUID] = set()
        missing = []
        for subject in set(subjects):
            key = self._cache.get(subject)
            if key is None:
                missing.append(subject)
            elif key == _ERASED:
                erased.add(subject)
            else:
                found[subject] = key
        if missing:
            if make:
                await self._make(missing)
            rows = await self.pool.fetch(
                "SELECT subject, wrapped FROM subject_keys WHERE subject = ANY($1::uuid[])",
                missing,
            )
            for row in rows:
                subject, wrapped = row["subject"], row["wrapped"]
                if wrapped is None:
                    erased.add(self._remember(subject, _ERASED))
                else:
                    key = crypto.unwrap(self._master, subject, bytes(wrapped))
                    found[self._remember(subject, key)] = key
        return Keys(found, frozenset(erased))

    def _remember(self, subject: UUID, key: bytes) -> UUID:
        self._cache.put(subject, key)
        return subject

    async def _make(self, subjects: list[UUID]) -> None:
        await self.pool.executemany(
            "INSERT INTO subject_keys (subject, wrapped) VALUES ($1, $2)"
            " ON CONFLICT (subject) DO NOTHING",
            [(s, crypto.wrap(self._master, s, crypto.new_key())) for s in subjects],
        )

    async def erase(self, subject: UUID) -> bool:
        """Destroys the person's key (and keeps them in the register); False when it was
        destroyed before. A person with no key yet is registered as erased."""
        row = await self.pool.fetchrow(
            "INSERT INTO subject_keys (subject, wrapped, erased_at) VALUES ($1, NULL, now())"
            " ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, erased_at = now()"
            " WHERE subject_keys.wrapped IS NOT NULL RETURNING subject",
            subject,
        )
        self._cache.put(subject, _ERASED)
        return row is not None

    async def erased(self, subjects: Iterable[UUID]) -> set[UUID]:
        """Which of `subjects` were erased: the register every handler consults."""
        rows = await self.pool.fetch(
            "SELECT subject FROM subject_keys WHERE subject = ANY($1::uuid[]) AND wrapped IS NULL",
            list(set(subjects)),
        )
        return {r["subject"] for r in rows}


async def open_key_store(url: str, master: bytes) -> KeyStore:
    """A key store on `url` (as the key store's role), listening for erasures."""
    pool = await create_pool(url, min_size=1, max_size=5)
    store = KeyStore(pool, master)
    try:
        await store.listen(url)
    except BaseException:
        await pool.close()
        raise
    return store
