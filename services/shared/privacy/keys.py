"""The key store: each staff member's key, in a database of its own, wrapped by the master
key (from settings; a deployment should keep it in a KMS). Every service that seals or
reads what people wrote reaches it through this module; erasing a person destroys their
key, which makes every sealed copy of their text unreadable, wherever it is."""

import base64
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg

from services.shared.cache import Cache
from services.shared.db import Connection, create_pool
from services.shared.failures import DependencyAway
from services.shared.privacy import crypto

MIGRATIONS = Path(__file__).parent / "migrations"
CHANNEL = "subject_keys_erased"
CACHE_TTL_S = 60.0
"""How long an unwrapped key is reused. An erasure is announced (NOTIFY) and forgotten at
once by every listening process; this bounds the rest (a dropped listener, say)."""
TIMEOUT_S = 5.0


def master_key(text: str) -> bytes:
    """KEYSTORE_MASTER_KEY as bytes: URL-safe base64, padding optional."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyStoreUnavailable(DependencyAway):
    """The key store cannot answer for a key: out of reach, or not the store (or master
    key) the keys were made with. Never a reason to drop or dead-letter an event."""


@dataclass(frozen=True)
class Keys:
    """What a lookup found: the keys of those who have one, and who was erased."""

    found: dict[UUID, bytes]
    erased: frozenset[UUID]
    missing: frozenset[UUID]
    """Never had a key: for text sealed about them, the wrong key store."""


class KeyStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        master: bytes,
        ttl_s: float = CACHE_TTL_S,
        previous: bytes | None = None,
    ) -> None:
        """`previous`: the master key being rotated away from. Keys wrapped by it are still
        read until `rewrap` has wrapped them all by `master`."""
        for given in (master, previous):
            if given is not None and len(given) != crypto.KEY_BYTES:
                raise ValueError(f"a master key must be {crypto.KEY_BYTES} bytes")
        self.pool = pool
        self._master = master
        self._previous = previous
        self._cache: Cache[UUID, bytes] = Cache(ttl_s)
        self._erased: set[UUID] = set()
        """Erased while this process ran: no key is remembered for them again."""
        self._listening: asyncpg.Connection | None = None

    async def listen(self, url: str) -> None:
        """Forget a key as soon as its person is erased, in whichever process erased them."""
        self._listening = await asyncpg.connect(url)
        await self._listening.add_listener(CHANNEL, self._forget)

    def _forget(self, _conn: Connection, _pid: int, _channel: str, subject: object) -> None:
        self._erased.add(UUID(str(subject)))

    async def close(self) -> None:
        if self._listening is not None:
            await self._listening.close()
        await self.pool.close()

    async def keys(self, subjects: Iterable[UUID], *, make: bool) -> Keys:
        """The keys of `subjects`; `make`: make one for whoever has none yet (a person once
        erased never gets one again)."""
        wanted = set(subjects)
        found: dict[UUID, bytes] = {}
        erased = wanted & self._erased
        missing = []
        for subject in wanted - erased:
            key = self._cache.get(subject)
            if key is None:
                missing.append(subject)
            else:
                found[subject] = key
        if missing:
            async with self._reached():
                if make:
                    await self._make(missing)
                rows = await self.pool.fetch(
                    "SELECT subject, wrapped FROM subject_keys WHERE subject = ANY($1::uuid[])",
                    missing,
                    timeout=TIMEOUT_S,
                )
            for row in rows:
                subject, wrapped = row["subject"], row["wrapped"]
                if wrapped is None:
                    self._erased.add(subject)
                    erased.add(subject)
                elif subject not in self._erased:  # an erasure told of meanwhile wins
                    found[subject] = self._cache.put(subject, self._unwrap(subject, wrapped))
        unknown = frozenset(missing) - found.keys() - erased
        return Keys(found, frozenset(erased), unknown)

    def _unwrap(self, subject: UUID, wrapped: bytes) -> bytes:
        for master in (self._master, self._previous):
            if master is None:
                continue
            with contextlib.suppress(crypto.Unreadable):
                return crypto.unwrap(master, subject, bytes(wrapped))
        raise KeyStoreUnavailable(
            f"the key of {subject} does not unwrap with this master key: is KEYSTORE_MASTER_KEY"
            " (or, while rotating, KEYSTORE_PREVIOUS_MASTER_KEY) the one it was made with?"
        )

    async def rewrap(self, batch: int = 500) -> int:
        """Master key rotation: every key still wrapped by the previous master key, wrapped
        by the current one instead; returns how many. Each row changes only if it is still
        as read (compare-and-set), so a person erased meanwhile stays erased. Safe to run
        again, and while the services run (they read both keys meanwhile)."""
        if self._previous is None:
            raise ValueError("nothing to rotate from: KEYSTORE_PREVIOUS_MASTER_KEY is not set")
        rewrapped, after = 0, UUID(int=0)
        while True:
            async with self._reached():
                rows = await self.pool.fetch(
                    "SELECT subject, wrapped FROM subject_keys"
                    " WHERE wrapped IS NOT NULL AND subject > $1 ORDER BY subject LIMIT $2",
                    after,
                    batch,
                    timeout=TIMEOUT_S,
                )
            if not rows:
                return rewrapped
            after = rows[-1]["subject"]
            moved = []
            for row in rows:
                subject, wrapped = row["subject"], bytes(row["wrapped"])
                try:
                    crypto.unwrap(self._master, subject, wrapped)
                    continue  # already under the current master key
                except crypto.Unreadable:
                    key = self._unwrap(subject, wrapped)
                moved.append((subject, wrapped, crypto.wrap(self._master, subject, key)))
            if not moved:
                continue
            subjects, old, new = (list(column) for column in zip(*moved, strict=True))
            async with self._reached():
                done = await self.pool.fetch(
                    "UPDATE subject_keys k SET wrapped = m.new"
                    " FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS m(subject, old, new)"
                    " WHERE k.subject = m.subject AND k.wrapped = m.old RETURNING k.subject",
                    subjects,
                    old,
                    new,
                    timeout=TIMEOUT_S,
                )
            rewrapped += len(done)

    async def _make(self, subjects: list[UUID]) -> None:
        await self.pool.executemany(
            "INSERT INTO subject_keys (subject, wrapped) VALUES ($1, $2)"
            " ON CONFLICT (subject) DO NOTHING",
            [(s, crypto.wrap(self._master, s, crypto.new_key())) for s in subjects],
            timeout=TIMEOUT_S,
        )

    async def erase(self, subject: UUID) -> bool:
        """Destroys the person's key (and keeps them in the register); False when it was
        destroyed before. A person with no key yet is registered as erased."""
        self._erased.add(subject)
        async with self._reached():
            row = await self.pool.fetchrow(
                "INSERT INTO subject_keys (subject, wrapped, erased_at) VALUES ($1, NULL, now())"
                " ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, erased_at = now()"
                " WHERE subject_keys.wrapped IS NOT NULL RETURNING subject",
                subject,
                timeout=TIMEOUT_S,
            )
        return row is not None

    async def register(self) -> set[UUID]:
        """Everyone erased: the register the portfolio's rebuild starts from."""
        async with self._reached():
            rows = await self.pool.fetch(
                "SELECT subject FROM subject_keys WHERE wrapped IS NULL", timeout=TIMEOUT_S
            )
        return {r["subject"] for r in rows}

    @contextlib.asynccontextmanager
    async def _reached(self) -> AsyncIterator[None]:
        try:
            yield
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
            raise KeyStoreUnavailable(f"the key store did not answer: {e!r}") from e


async def open_key_store(url: str, master: bytes, previous: bytes | None = None) -> KeyStore:
    """A key store on `url` (as the key store's role), listening for erasures; `previous`:
    the master key being rotated away from, if any."""
    pool = await create_pool(url, min_size=1, max_size=5, command_timeout=TIMEOUT_S)
    store = KeyStore(pool, master, previous=previous)
    try:
        await store.listen(url)
    except BaseException:
        await pool.close()
        raise
    return store
