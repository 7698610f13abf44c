"""Subscriptions, their secrets, and the requests for history with their consent."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.shared.db import Connection
from services.subscriptions.domain.wanted import Format


@dataclass(frozen=True)
class Subscription:
    id: UUID
    board_id: UUID
    schools: frozenset[UUID]
    url: str
    format: Format
    event_types: frozenset[str]
    description: str
    status: str
    failing_reason: str | None
    history_from: datetime
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HistoryRequest:
    id: UUID
    subscription_id: UUID
    since: datetime | None
    requested_by: str
    requested_at: datetime
    consented_by: str | None
    consented_at: datetime | None
    queued: int | None


_SUBSCRIPTION = (
    "id, board_id, schools, url, format, event_types, description, status, failing_reason,"
    " history_from, created_by, created_at, updated_at"
)


def _subscription(row: object) -> Subscription:
    r = dict(row)  # type: ignore[call-overload]
    return Subscription(
        **{**r, "schools": frozenset(r["schools"]), "format": Format(r["format"]),
           "event_types": frozenset(r["event_types"])}
    )  # fmt: skip


REACHES = (
    "s.board_id = e.board_id AND e.type = ANY(s.event_types)"
    " AND (cardinality(s.schools) = 0 OR s.schools && e.schools"
    "      OR (cardinality(e.schools) = 0 AND e.staff_id IS NULL AND cardinality(e.people) = 0))"
)
"""Whether subscription s sees event e: never another board's; of its own board, the types
it asked for, concerning its schools (none named: all), or about no one person and no
school (the board's offerings, say)."""
QUEUED = "deliveries_queued"
"""The channel that wakes the delivery workers (the deliveries' insert trigger notifies it)."""
HISTORY_LOCK = 7_421_016
"""Taken shared by every fan-out of events, alone by what queues history: a backfill sees
every event committed before it, and every later fan-out sees its subscription."""


class Store:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, s: Subscription, secret: str | None, lrs: tuple[str, str] | None) -> None:
        await self.conn.execute(
            "INSERT INTO subscriptions (id, board_id, schools, url, format, event_types,"
            " description, lrs_username, lrs_password, created_by, history_from, status,"
            " live_from_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
            " (SELECT coalesce(max(seq), 0) FROM events))",
            s.id, s.board_id, sorted(s.schools), s.url, s.format.value, sorted(s.event_types),
            s.description, *(lrs or (None, None)), s.created_by, s.history_from, s.status,
        )  # fmt: skip
        if secret is not None:
            await self.add_secret(s.id, secret)

    async def get(self, subscription_id: UUID, *, lock: bool = False) -> Subscription | None:
        row = await self.conn.fetchrow(
            f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE id = $1"
            + (" FOR UPDATE" if lock else ""),
            subscription_id,
        )
        return None if row is None else _subscription(row)

    async def of_board(self, board_id: UUID) -> list[Subscription]:
        rows = await self.conn.fetch(
            f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE board_id = $1 ORDER BY created_at",
            board_id,
        )
        return [_subscription(r) for r in rows]

    async def change(
        self,
        subscription_id: UUID,
        *,
        url: str,
        event_types: frozenset[str],
        schools: frozenset[UUID],
        description: str,
        lrs: tuple[str, str] | None,
    ) -> None:
        # A new address, types or schools: the consent to history given for the old ones
        # does not carry over (a replay goes back no further than now), and a learning
        # record store's credentials go to no other address than theirs.
        await self.conn.execute(
            "UPDATE subscriptions SET"
            " history_from = CASE WHEN (url, event_types, schools) = ($2, $3, $4)"
            "                THEN history_from ELSE now() END,"
            " lrs_username = CASE WHEN $6::text IS NOT NULL THEN $6 WHEN url = $2"
            "                THEN lrs_username END,"
            " lrs_password = CASE WHEN $7::text IS NOT NULL THEN $7 WHEN url = $2"
            "                THEN lrs_password END,"
            " url = $2, event_types = $3, schools = $4, description = $5, updated_at = now()"
            " WHERE id = $1",
            subscription_id, url, sorted(event_types), sorted(schools), description,
            *(lrs or (None, None)),
        )  # fmt: skip

    async def set_status(
        self, subscription_id: UUID, status: str, reason: str | None = None
    ) -> None:
        await self.conn.execute(
            "UPDATE subscriptions SET status = $2, failing_reason = $3, updated_at = now()"
            " WHERE id = $1",
            subscription_id, status, reason,
        )  # fmt: skip
        if status == "active":  # what waited is tried at once, and counts as failing anew
            await self.conn.execute(
                "UPDATE deliveries SET next_attempt_at = now(), first_failed_at = NULL"
                " WHERE subscription_id = $1 AND delivered_at IS NULL",
                subscription_id,
            )
            await self.conn.execute(
                "UPDATE queues SET next_attempt_at = now() WHERE subscription_id = $1",
                subscription_id,
            )
            await self.conn.execute("SELECT pg_notify($1, '')", QUEUED)  # at once

    async def delete(self, subscription_id: UUID) -> None:
        await self.conn.execute("DELETE FROM subscriptions WHERE id = $1", subscription_id)

    async def add_secret(self, subscription_id: UUID, secret: str) -> None:
        await self.conn.execute(
            "INSERT INTO secrets (subscription_id, secret) VALUES ($1, $2)", subscription_id, secret
        )

    async def rotate(self, subscription_id: UUID, secret: str, overlap: timedelta) -> datetime:
        """The new secret signs from now on; the ones before it, for `overlap` more."""
        until: datetime = await self.conn.fetchval(
            "UPDATE secrets"
            " SET expires_at = least(coalesce(expires_at, 'infinity'), now() + $2::interval)"
            " WHERE subscription_id = $1 RETURNING expires_at",
            subscription_id, overlap,
        )  # fmt: skip
        await self.add_secret(subscription_id, secret)
        return until

    async def ask_history(self, request: HistoryRequest) -> None:
        await self.conn.execute(
            "INSERT INTO history_requests (id, subscription_id, since, requested_by)"
            " VALUES ($1, $2, $3, $4)",
            request.id, request.subscription_id, request.since, request.requested_by,
        )  # fmt: skip

    async def history_requests(self, subscription_id: UUID) -> list[HistoryRequest]:
        rows = await self.conn.fetch(
            "SELECT * FROM history_requests WHERE subscription_id = $1 ORDER BY requested_at",
            subscription_id,
        )
        return [HistoryRequest(**dict(r)) for r in rows]

    async def consent(self, request_id: UUID, by: str, queued: int) -> None:
        await self.conn.execute(
            "UPDATE history_requests SET consented_by = $2, consented_at = now(), queued = $3"
            " WHERE id = $1",
            request_id, by, queued,
        )  # fmt: skip

    async def reach_back(self, subscription_id: UUID, since: datetime | None) -> None:
        """A replay may now go back as far as a consented backfill reached."""
        await self.conn.execute(
            "UPDATE subscriptions"
            " SET history_from = least(history_from, coalesce($2::timestamptz, '-infinity'))"
            " WHERE id = $1",
            subscription_id, since,
        )  # fmt: skip

    async def lock_history(self) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", HISTORY_LOCK)

    async def queue_history(
        self, subscription: Subscription, since: datetime | None, *, history_only: bool
    ) -> int:
        """Queue the subscription's events from `since` (none: the first kept) in order;
        `history_only`: only those kept before it was made (the rest it got live)."""
        status = await self.conn.execute(
            "INSERT INTO deliveries (subscription_id, seq, key)"
            " SELECT s.id, e.seq, e.key FROM subscriptions s JOIN events e ON " + REACHES
            + " WHERE s.id = $1 AND NOT e.erased"
            "   AND e.time >= coalesce($2::timestamptz, '-infinity')"
            "   AND ($3::bool IS FALSE OR e.seq <= s.live_from_seq)"
            " ORDER BY e.seq ON CONFLICT DO NOTHING",
            subscription.id, since, history_only,
        )  # fmt: skip
        return int(status.rsplit(" ", 1)[1])
