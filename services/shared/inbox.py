"""The inbox: which events a consumer has already applied."""

from collections.abc import Sequence
from uuid import UUID

from services.shared.db import Connection


async def claim_many(conn: Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """Record that `consumer` applies these events, inside the caller's transaction, in one
    statement. Returns the ids applied for the first time: the caller skips the others."""
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        list(event_ids),
    )
    return {r["event_id"] for r in rows}
