"""The key store of a test session: what the use cases driven in process seal with (the
services' processes have their own, through their settings)."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from huisacademie import migrate
from services.shared.privacy import keys
from services.shared.privacy.sealing import Sealer
from tests.support.infra import Infrastructure

_opened: list[Sealer] = []


@asynccontextmanager
async def session_sealer(infra: Infrastructure) -> AsyncIterator[Sealer]:
    """A fresh key store with a master key of this session's, open while the block runs."""
    made = infra.databases("it_")
    await migrate.prepare(made, fresh=True, which=["keystore"])
    store = await keys.open_key_store(made.keystore_url(), secrets.token_bytes(32))
    sealer = Sealer(store)
    _opened.append(sealer)
    try:
        yield sealer
    finally:
        _opened.remove(sealer)
        await store.close()


def sealer() -> Sealer:
    """The session's sealer (tests/integration/conftest.py opens it)."""
    if not _opened:
        raise RuntimeError("no key store is open: use the session_sealer fixture")
    return _opened[-1]
