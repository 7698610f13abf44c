"""The inbox: which events a consumer has already applied."""

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
