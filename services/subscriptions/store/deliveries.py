"""Deliveries: taken in order per subscription and key, their outcomes, and their log."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from services.shared.db import Connection
from services.subscriptions.domain.documents import StoredEvent
from services.subscriptions.domain.wanted import Format


@dataclass(frozen=True)
class Due:
    """A delivery taken by this instance, with all it needs to be made."""

    id: int
    subscription_id: UUID
    url: str
    format: Format
    attempts: int
    event: StoredEvent
    voids: tuple[UUID, ...]
    secrets: tuple[str, ...]
    lrs: tuple[str, str] | None


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    at: datetime
    status: int | None
    error: str | None
    duration_ms: float
    retry_in: timedelta | None
    """None: delivered (or given up as the subscriber's own refusal); else when to try again."""


_TAKE = """
WITH heads AS (
    SELECT DISTINCT ON (d.subscription_id, d.key) d.id, d.subscription_id, d.next_attempt_at,
           d.leased_until
    FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id AND s.status = 'active'
    WHERE d.delivered_at IS NULL
    ORDER BY d.subscription_id, d.key, d.seq
), busy AS (
    SELECT subscription_id, count(*) AS n FROM heads WHERE leased_until > now()
    GROUP BY subscription_id
), due AS (
    SELECT h.id, row_number() OVER (PARTITION BY h.subscription_id ORDER BY h.next_attempt_at, h.id)
           + coalesce(b.n, 0) AS place, h.next_attempt_at
    FROM heads h LEFT JOIN busy b USING (subscription_id)
    WHERE h.next_attempt_at <= now() AND (h.leased_until IS NULL OR h.leased_until <= now())
), taken AS (
    UPDATE deliveries d SET leased_until = now() + $3::interval, attempts = d.attempts + 1
    FROM (SELECT id FROM due WHERE place <= $2 ORDER BY next_attempt_at, id LIMIT $1) AS chosen
    WHERE d.id = chosen.id AND d.delivered_at IS NULL
      AND (d.leased_until IS NULL OR d.leased_until <= now())
    RETURNING d.*
)
SELECT t.id, t.subscription_id, t.attempts, t.voids, s.url, s.format, s.lrs_username,
       s.lrs_password, e.event_id, e.type, e.source, e.subject, e.time, e.data, e.staff_id,
       ARRAY(SELECT secret FROM secrets k WHERE k.subscription_id = s.id
             AND (k.expires_at IS NULL OR k.expires_at > now()) ORDER BY k.created_at DESC)
           AS secrets
FROM taken t JOIN subscriptions s ON s.id = t.subscription_id JOIN events e ON e.seq = t.seq
"""


class DeliveryStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def take(self, most: int, per_subscription: int, lease: timedelta) -> list[Due]:
        """The deliveries due, each the first undelivered one of its subscription and key,
        leased to this instance: at most `most`, and at most `per_subscription` in flight
        to one subscription."""
        rows = await self.conn.fetch(_TAKE, most, per_subscription, lease)
        return [
            Due(
                r["id"], r["subscription_id"], r["url"], Format(r["format"]), r["attempts"],
                StoredEvent(r["event_id"], r["type"], r["source"], r["subject"], r["time"],
                            r["data"], r["staff_id"]),
                tuple(r["voids"]), tuple(r["secrets"]),
                (r["lrs_username"], r["lrs_password"]) if r["lrs_username"] is not None else None,
            )
            for r in rows
        ]  # fmt: skip

    async def record(self, outcome: Outcome) -> None:
        o = outcome
        await self.conn.execute(
            "INSERT INTO attempts (delivery_id, at, status, error, duration_ms)"
            " VALUES ($1, $2, $3, $4, $5)",
            o.delivery_id, o.at, o.status, o.error, o.duration_ms,
        )  # fmt: skip
        if o.retry_in is None:
            await self.conn.execute(
                "UPDATE deliveries SET delivered_at = $2, leased_until = NULL, last_status = $3,"
                " last_error = NULL WHERE id = $1",
                o.delivery_id, o.at, o.status,
            )  # fmt: skip
        else:
            await self.conn.execute(
                "UPDATE deliveries SET next_attempt_at = $2::timestamptz + $3::interval,"
                " leased_until = NULL, last_status = $4, last_error = $5,"
                " first_failed_at = coalesce(first_failed_at, $2)"
                " WHERE id = $1",
                o.delivery_id, o.at, o.retry_in, o.status, o.error,
            )  # fmt: skip

    async def mark_failing(self, after: timedelta) -> list[tuple[UUID, str]]:
        """Subscriptions whose deliveries have failed for `after` are marked failing, with
        the last error as the reason; returns them."""
        rows = await self.conn.fetch(
            "UPDATE subscriptions s SET status = 'failing', updated_at = now(),"
            " failing_reason = f.reason FROM ("
            "   SELECT DISTINCT ON (subscription_id) subscription_id,"
            "          coalesce(last_error, 'HTTP ' || last_status) AS reason"
            "   FROM deliveries"
            "   WHERE delivered_at IS NULL AND first_failed_at < now() - $1::interval"
            "   ORDER BY subscription_id, first_failed_at) AS f"
            " WHERE s.id = f.subscription_id AND s.status = 'active'"
            " RETURNING s.id, s.failing_reason",
            after,
        )
        return [(r["id"], r["failing_reason"]) for r in rows]

    async def sweep(self, log_kept: timedelta, history_kept: timedelta) -> tuple[int, int]:
        """Delivered deliveries (and their attempts) past the log's time, and events past
        the history's time or erased, that nothing waits to deliver, are deleted."""
        log = await self.conn.execute(
            "DELETE FROM deliveries WHERE delivered_at < now() - $1::interval", log_kept
        )
        events = await self.conn.execute(
            "DELETE FROM events e WHERE (e.received_at < now() - $1::interval OR e.erased)"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.seq = e.seq"
            "                 AND d.delivered_at IS NULL)",
            history_kept,
        )
        return int(log.rsplit(" ", 1)[1]), int(events.rsplit(" ", 1)[1])

    async def log(
        self, subscription_id: UUID, *, undelivered: bool, before: int | None, limit: int
    ) -> list[dict[str, object]]:
        rows = await self.conn.fetch(
            "SELECT d.id, e.event_id, e.type, e.time AS event_time, d.created_at, d.attempts,"
            " d.last_status, d.last_error, d.next_attempt_at, d.delivered_at,"
            " coalesce((SELECT json_agg(json_build_object('at', a.at, 'status', a.status,"
            "   'error', a.error, 'duration_ms', a.duration_ms) ORDER BY a.at)"
            "   FROM attempts a WHERE a.delivery_id = d.id), '[]')::text AS tries"
            " FROM deliveries d JOIN events e ON e.seq = d.seq"
            " WHERE d.subscription_id = $1 AND ($2::bool IS FALSE OR d.delivered_at IS NULL)"
            "   AND d.id < coalesce($3, 9223372036854775807)"
            " ORDER BY d.id DESC LIMIT $4",
            subscription_id, undelivered, before, limit,
        )  # fmt: skip
        return [dict(r) for r in rows]

    async def about(self, staff_id: UUID) -> dict[str, Any]:
        events = await self.conn.fetch(
            "SELECT e.event_id, e.type, e.time, e.received_at,"
            " coalesce(array_agg(DISTINCT d.subscription_id)"
            "          FILTER (WHERE d.subscription_id IS NOT NULL), '{}') AS sent_to"
            " FROM events e LEFT JOIN deliveries d ON d.seq = e.seq"
            " WHERE e.staff_id = $1 OR $1 = ANY(e.people) GROUP BY e.seq ORDER BY e.seq",
            staff_id,
        )
        return {"events": [dict(r) for r in events]}
