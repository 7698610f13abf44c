"""The outbox: events stored in the business transaction, published by a relay."""

import asyncio
import contextlib
import json
import time
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError
from faststream.kafka import KafkaBroker

from contracts import Envelope, Event
from services.shared import telemetry
from services.shared.db import Connection
from services.shared.failpoints import failpoint
from services.shared.logging import get_logger
from services.shared.metrics import PUBLISHED
from services.shared.privacy.sealing import Sealer, refuse_clear_text

log = get_logger(__name__)
_RELAY_LOCK = 7_421_002
# Kafka refuses these records for good: retrying would block every event behind them.
_REFUSED = (MessageSizeTooLargeError, RecordTooLargeError)


async def put(
    conn: Connection, source: str, events: Sequence[Event], sealer: Sealer | None = None
) -> list[Envelope[Event]]:
    """Store events in the outbox, inside the caller's transaction, with what people wrote
    sealed (without a sealer, an event carrying such text is refused); returns them as
    they were decided, the text in clear, for the service's own journal."""
    envelopes = [Envelope[Event].new(e, source) for e in events]
    if sealer is None:
        refuse_clear_text(envelopes)
        leaving = envelopes
    else:
        leaving = await sealer.seal(envelopes)
    with telemetry.storing(len(leaving)) as (traceparent, tracestate):
        await conn.executemany(
            "INSERT INTO outbox (event_id, topic, key, headers, payload, traceparent, tracestate)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (
                    env.id,
                    env.data.topic,
                    env.data.key(),
                    json.dumps(env.headers()),
                    env.body(),
                    traceparent,
                    tracestate,
                )
                for env in leaving
            ],
        )
    return envelopes


class OutboxRelay:
    """Publishes committed outbox rows in commit order, then marks them sent.

    One relay per database leads (see `_lead`); rows are also claimed with FOR UPDATE SKIP
    LOCKED, so even two publishing relays never send a row the other holds. A crash between
    publishing and marking sends the rows again: consumers drop the duplicates by event id.
    The relay wakes on NOTIFY from the insert trigger, and polls as a fallback.

    Order per key: every command takes its aggregate's row lock before it writes to the
    outbox (an enrollment's: its offering's, or for a completion its own row and its
    person's lock), so for any one aggregate seq order is commit order, and rows go out in
    seq order.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        database_url: str,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        published_kept: timedelta = timedelta(days=7),
        parked_kept: timedelta = timedelta(days=30),
    ) -> None:
        self._published_kept = published_kept
        self._parked_kept = parked_kept
        self._pool = pool
        self._broker = broker
        self._database_url = database_url
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._leading = False
        self._stopping = False

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many rows it settled."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT seq, topic, key, headers, payload, traceparent, tracestate FROM outbox"
                " WHERE published_at IS NULL AND parked_at IS NULL"
                " ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            # Sent in seq order on one idempotent producer, so order per key holds.
            sending: list[tuple[int, asyncio.Future[object]]] = []
            parked: list[tuple[int, str]] = []
            with telemetry.Sending() as traced:
                for row in rows:
                    headers = json.loads(row["headers"])
                    traced.row(
                        row["seq"], row["topic"], row["traceparent"], row["tracestate"], headers
                    )
                    try:
                        future = await self._broker.publish(
                            bytes(row["payload"]),
                            row["topic"],
                            key=row["key"].encode(),
                            headers=headers,
                            no_confirm=True,
                        )
                        sending.append((row["seq"], future))
                    except _REFUSED as e:
                        parked.append((row["seq"], repr(e)))
                        traced.refused(row["seq"], e)
                results = await asyncio.gather(*(f for _, f in sending), return_exceptions=True)
                for (seq, _), result in zip(sending, results, strict=True):
                    if isinstance(result, _REFUSED):
                        parked.append((seq, repr(result)))
                        traced.refused(seq, result)
                    elif isinstance(result, BaseException):
                        raise result  # the batch is retried; consumers drop what arrives twice
            failpoint("relay.after_publish")
            refused = {seq for seq, _ in parked}
            sent = [seq for seq, _ in sending if seq not in refused]
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])", sent
            )
            if parked:
                await conn.executemany(
                    "UPDATE outbox SET parked_at = now(), park_reason = $2 WHERE seq = $1", parked
                )
                log.error("outbox_rows_parked", rows=[seq for seq, _ in parked])
        PUBLISHED.inc(len(sent))
        return len(rows)

    async def backlog(self) -> dict[str, int]:
        """Rows waiting to be published, and rows parked because Kafka refused them."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE parked_at IS NULL) AS pending,"
                " count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked"
                " FROM outbox WHERE published_at IS NULL"
            )
            assert row is not None
            return {"pending": row["pending"], "parked": row["parked"]}

    async def prune(self) -> int:
        """Forget published rows once Kafka holds them long enough for any replay, and
        parked rows nobody saw to within their retention (they hold personal data too)."""
        async with self._pool.acquire() as conn:
            status: str = await conn.execute(
                "DELETE FROM outbox WHERE published_at < now() - $1::interval",
                self._published_kept,
            )
            dropped = await conn.fetch(
                "DELETE FROM outbox WHERE published_at IS NULL"
                " AND parked_at < now() - $1::interval RETURNING event_id, topic",
                self._parked_kept,
            )
        if dropped:
            # Ids and topics only: what the events said stays out of the log.
            log.error(
                "outbox_parked_rows_expired",
                events=[f"{r['topic']}/{r['event_id']}" for r in dropped],
                kept_days=self._parked_kept.days,
            )
        return int(status.split()[-1]) + len(dropped)

    async def run(self) -> None:
        """Publish until stopped; survives broker and database outages with backoff.

        After stop(), a leading relay publishes what is committed (a final flush) and
        returns; whatever it could not publish stays in the outbox for the next start.
        """
        delay = 0.2
        next_prune = time.monotonic()
        try:
            while True:
                try:
                    if await self._lead():
                        published = await self.publish_pending()
                        delay = 0.2
                        if time.monotonic() >= next_prune:
                            await self.prune()
                            next_prune = time.monotonic() + 3600
                        if published == self._batch_size:
                            continue
                    if self._stopping:
                        return
                    await self._sleep(self._poll_interval)
                except Exception as e:
                    if self._stopping:
                        log.warning("outbox_flush_failed", error=repr(e))
                        return
                    log.warning("outbox_publish_failed", error=repr(e), retry_in_s=delay)
                    await self._close_listener()
                    await self._sleep(delay)
                    delay = min(delay * 2, 5.0)
        finally:
            with contextlib.suppress(Exception):
                await self._close_listener()

    def stop(self) -> None:
        """Ask run() to flush and return."""
        self._stopping = True
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        if not self._stopping:
            self._wake.clear()

    async def _lead(self) -> bool:
        """Whether this relay is the one that publishes for its database.

        One relay leads, holding a session advisory lock on its listener connection; the
        others wait. When the leader's process or connection dies, the lock goes with it
        and another relay takes over. One publisher keeps the order per key.
        """
        if self._listener is None or self._listener.is_closed():
            self._leading = False
            self._listener = await asyncpg.connect(
                self._database_url,
                # If this host dies without closing the connection, the server notices
                # within a minute and frees the lock for another relay.
                server_settings={
                    "tcp_keepalives_idle": "30",
                    "tcp_keepalives_interval": "10",
                    "tcp_keepalives_count": "3",
                },
            )
            await self._listener.add_listener("outbox", lambda *_: self._wake.set())
        if not self._leading:
            self._leading = bool(
                await self._listener.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK)
            )
            if self._leading:
                log.info("outbox_relay_leading")
        return self._leading

    async def _close_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
        self._listener = None
        self._leading = False
