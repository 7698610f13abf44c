"""The inbox: which events a consumer has already applied."""

from collections.abc import Sequence
from uuid import UUID

from services.shared.db import Connection


async def claim(conn: Connection, consumer: str, event_id: UUID) -> bool:
    """Record that `consumer` applies `event_id`, inside the caller's transaction.

    Returns False when the event was applied before: the caller skips its effect.
    """
    status: str = await conn.execute(
        "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        consumer,
        event_id,
    )
    return status.endswith(" 1")


async def claim_many(conn: Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """`claim` for many events in one statement; returns the ids applied for the first time."""
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        list(event_ids),
    )
    return {r["event_id"] for r in rows}
