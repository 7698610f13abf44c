"""Deliveries: taken in order per subscription and key, their outcomes, and their log."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from services.shared.db import Connection
from services.subscriptions.domain.documents import StoredEvent
from services.subscriptions.domain.wanted import Format
from services.subscriptions.store.subscriptions import HISTORY_LOCK


@dataclass(frozen=True)
class Due:
    """A delivery taken by this instance, with all it needs to be made."""

    id: int
    lease: UUID
    """Whose the delivery's queue is while it is made: an outcome is recorded only with it."""
    subscription_id: UUID
    key: str
    url: str
    format: Format
    attempts: int
    event: StoredEvent
    voids: tuple[UUID, ...]
    erased: frozenset[UUID]
    """People the event names who were erased since: no statement is made about them."""
    secrets: tuple[str, ...]
    lrs: tuple[str, str] | None


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    subscription_id: UUID
    key: str
    lease: UUID
    at: datetime
    status: int | None
    error: str | None
    duration_ms: float
    retry_in: timedelta | None
    """None: delivered; else when to try again."""


TAKE_LOCK = 7_421_017
"""One take at a time, across instances: each sees every lease the one before it made."""
_TAKE = """
WITH in_flight AS (
    SELECT subscription_id, count(*) AS n FROM queues
    WHERE lease IS NOT NULL AND leased_until > now() GROUP BY subscription_id
), due AS (
    SELECT q.subscription_id, q.key, q.next_attempt_at, q.lease,
           row_number() OVER (PARTITION BY q.subscription_id ORDER BY q.next_attempt_at, q.key)
           + coalesce(f.n, 0) AS place
    FROM queues q JOIN subscriptions s ON s.id = q.subscription_id AND s.status = 'active'
    LEFT JOIN in_flight f USING (subscription_id)
    WHERE q.next_attempt_at <= now() AND (q.lease IS NULL OR q.leased_until <= now())
), leased AS (
    UPDATE queues q SET leased_until = now() + $3::interval, lease = gen_random_uuid()
    FROM (SELECT subscription_id, key, lease FROM due WHERE place <= $2
          ORDER BY next_attempt_at LIMIT $1) AS chosen
    WHERE q.subscription_id = chosen.subscription_id AND q.key = chosen.key
      -- as this statement saw it: a queue an outcome was recorded on meanwhile is left
      -- for the next take (whose snapshot sees that outcome)
      AND q.lease IS NOT DISTINCT FROM chosen.lease AND q.next_attempt_at <= now()
    RETURNING q.subscription_id, q.key, q.lease
), heads AS (
    UPDATE deliveries d SET attempts = d.attempts + 1
    FROM leased l
    WHERE d.id = (SELECT h.id FROM deliveries h
                  WHERE h.subscription_id = l.subscription_id AND h.key = l.key
                    AND h.delivered_at IS NULL ORDER BY h.seq LIMIT 1)
      AND d.delivered_at IS NULL
    RETURNING d.*, l.lease
)
SELECT t.id, t.lease, t.subscription_id, t.key, t.attempts, t.voids, s.url, s.format,
       s.lrs_username, s.lrs_password, e.event_id, e.type, e.source, e.subject, e.time, e.data,
       e.staff_id, ARRAY(SELECT x.staff_id FROM erased_staff x WHERE x.staff_id = ANY(e.people))
           AS erased,
       ARRAY(SELECT secret FROM secrets k WHERE k.subscription_id = s.id
             AND (k.expires_at IS NULL OR k.expires_at > now()) ORDER BY k.created_at DESC)
           AS secrets
FROM heads t JOIN subscriptions s ON s.id = t.subscription_id JOIN events e ON e.seq = t.seq
"""
"""For each due queue of an active subscription whose lease is free, its first delivery:
at most $2 queues in flight for one subscription, $1 in all, each leased for $3."""


SENT_STATEMENTS = """
WITH made AS (
    SELECT d.subscription_id, d.voids, e.event_id, e.type, e.staff_id, e.people
    FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id AND s.format = 'xapi'
    JOIN events e ON e.seq = d.seq WHERE d.id = $1
), sent AS (
    INSERT INTO xapi_sent (subscription_id, staff_id, event_id)
    SELECT m.subscription_id, person, m.event_id FROM made m, unnest(m.people) AS person
    WHERE cardinality(m.voids) = 0
    ON CONFLICT DO NOTHING
)
DELETE FROM xapi_sent x USING made m
WHERE cardinality(m.voids) > 0 AND x.subscription_id = m.subscription_id
  AND x.staff_id = m.staff_id AND x.event_id = ANY(m.voids)
"""
"""A delivery to a learning record store made: the statements it sent, by person; or, an
erasure's voiding, the person's statements there forgotten."""


class DeliveryStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def take(self, most: int, per_subscription: int, lease: timedelta) -> list[Due]:
        """The deliveries due, each the first undelivered one of its subscription and key,
        leased to this instance: at most `most`, and at most `per_subscription` in flight
        to one subscription."""
        async with self.conn.transaction():
            await self.conn.execute("SELECT pg_advisory_xact_lock($1)", TAKE_LOCK)
            rows = await self.conn.fetch(_TAKE, most, per_subscription, lease)
        return [
            Due(
                r["id"], r["lease"], r["subscription_id"], r["key"], r["url"], Format(r["format"]),
                r["attempts"],
                StoredEvent(r["event_id"], r["type"], r["source"], r["subject"], r["time"],
                            r["data"], r["staff_id"]),
                tuple(r["voids"]), frozenset(r["erased"]), tuple(r["secrets"]),
                (r["lrs_username"], r["lrs_password"]) if r["lrs_username"] is not None else None,
            )
            for r in rows
        ]  # fmt: skip

    async def record(self, outcome: Outcome) -> None:
        o = outcome
        async with self.conn.transaction():
            ours = await self.conn.fetchval(
                "SELECT 1 FROM queues WHERE subscription_id = $1 AND key = $2 AND lease = $3"
                " FOR UPDATE",
                o.subscription_id, o.key, o.lease,
            )  # fmt: skip
            if ours:  # else its lease ran out and another attempt has it: that one records
                await self._record(o)

    async def _record(self, o: Outcome) -> None:
        await self.conn.execute(
            "INSERT INTO attempts (delivery_id, at, status, error, duration_ms)"
            " VALUES ($1, $2, $3, $4, $5)",
            o.delivery_id, o.at, o.status, o.error, o.duration_ms,
        )  # fmt: skip
        if o.retry_in is None:
            made = await self.conn.execute(
                "UPDATE deliveries SET delivered_at = $2, last_status = $3, last_error = NULL"
                " WHERE id = $1 AND delivered_at IS NULL",
                o.delivery_id, o.at, o.status,
            )  # fmt: skip
            if made != "UPDATE 1":  # recorded already: counted once
                return
            await self.conn.execute(SENT_STATEMENTS, o.delivery_id)
            await self.conn.execute(
                "UPDATE queues SET waiting = waiting - 1, lease = NULL, leased_until = NULL,"
                " next_attempt_at = now() WHERE subscription_id = $1 AND key = $2",
                o.subscription_id, o.key,
            )  # fmt: skip
            await self.conn.execute(
                "DELETE FROM queues WHERE subscription_id = $1 AND key = $2 AND waiting <= 0",
                o.subscription_id, o.key,
            )  # fmt: skip
        else:
            retry = o.at + o.retry_in
            await self.conn.execute(
                "UPDATE deliveries SET next_attempt_at = $2, last_status = $3, last_error = $4,"
                " first_failed_at = coalesce(first_failed_at, $5) WHERE id = $1",
                o.delivery_id, retry, o.status, o.error, o.at,
            )  # fmt: skip
            await self.conn.execute(
                "UPDATE queues SET lease = NULL, leased_until = NULL, next_attempt_at = $3"
                " WHERE subscription_id = $1 AND key = $2",
                o.subscription_id, o.key, retry,
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
        # Not while history is queued: a delivery inserted for an old event meanwhile
        # would go with the event.
        await self.conn.execute("SELECT pg_advisory_xact_lock_shared($1)", HISTORY_LOCK)
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
