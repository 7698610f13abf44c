"""The events read, whose they are, and their fan-out into deliveries."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from contracts import Envelope, Event
from contracts.privacy import PersonErased
from services.shared.db import Connection
from services.subscriptions.domain.ownership import Owner, Ref
from services.subscriptions.domain.wanted import Format
from services.subscriptions.store.subscriptions import HISTORY_LOCK, REACHES


@dataclass(frozen=True)
class Read:
    """An event as read, with what the service keeps beside it."""

    envelope: Envelope[Event]
    owner: Owner | None
    people: tuple[UUID, ...]


class EventStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def owner_of(self, ref: Ref) -> Owner | None:
        row = await self.conn.fetchrow(
            "SELECT board_id, schools FROM known_owners WHERE kind = $1 AND id = $2",
            ref[0].value, ref[1],
        )  # fmt: skip
        return None if row is None else Owner(row["board_id"], frozenset(row["schools"]))

    async def share_history(self) -> None:
        """Held by every fan-out, once per transaction: what queues history (alone) waits
        for those under way, and every later fan-out sees its subscription."""
        await self.conn.execute("SELECT pg_advisory_xact_lock_shared($1)", HISTORY_LOCK)

    async def learn(self, known: Iterable[tuple[Ref, Owner]]) -> None:
        rows = [(kind.value, id_, o.board_id, sorted(o.schools)) for (kind, id_), o in known]
        if not rows:  # most events teach nothing: no round trip
            return
        await self.conn.executemany(
            "INSERT INTO known_owners (kind, id, board_id, schools) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (kind, id) DO UPDATE SET board_id = excluded.board_id,"
            " schools = excluded.schools",
            rows,
        )

    async def fan_out(self, read: Read) -> int | None:
        """Keep the event and queue it for every subscription it reaches; its sequence
        number, or None if it was kept already (or is about someone erased). The caller
        holds `share_history`."""
        env, owner = read.envelope, read.owner
        subject = env.data.data_subject()
        if (
            subject is not None
            and not isinstance(env.data, PersonErased)
            and await self.conn.fetchval("SELECT 1 FROM erased_staff WHERE staff_id = $1", subject)
        ):
            return None
        seq: int | None = await self.conn.fetchval(
            "INSERT INTO events (event_id, type, source, subject, key, time, board_id, schools,"
            " staff_id, people, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            " ON CONFLICT (event_id) DO NOTHING RETURNING seq",
            env.id, env.type, env.source, env.data.subject(), env.data.key(), env.time,
            owner.board_id if owner else None, sorted(owner.schools) if owner else [],
            subject, list(read.people), env.body().decode(),
        )  # fmt: skip
        if seq is not None and owner is not None:
            await self.conn.execute(
                "INSERT INTO deliveries (subscription_id, seq, key)"
                " SELECT s.id, e.seq, e.key FROM subscriptions s JOIN events e ON "
                + REACHES
                + " WHERE e.seq = $1 ORDER BY s.id",
                seq,
            )
        return seq

    async def erase(self, staff_id: UUID, erasure_seq: int, key: str) -> None:
        """The person's events are replayed no more, and later ones are not kept; the
        erasure reaches every subscription that had events about them, and a learning
        record store gets the voiding of every statement it was sent about them."""
        await self.conn.execute(
            "INSERT INTO erased_staff (staff_id) VALUES ($1) ON CONFLICT DO NOTHING", staff_id
        )
        await self.conn.execute(
            "UPDATE events SET erased = true WHERE staff_id = $1 AND seq < $2",
            staff_id,
            erasure_seq,
        )
        await self.conn.execute(
            "INSERT INTO deliveries (subscription_id, seq, key)"
            " SELECT subscription_id, $2, $3 FROM recipients WHERE staff_id = $1"
            " ORDER BY subscription_id ON CONFLICT DO NOTHING",
            staff_id, erasure_seq, key,
        )  # fmt: skip
        await self.conn.execute(
            "UPDATE deliveries d SET voids = ARRAY("
            "   SELECT event_id FROM xapi_sent x"
            "   WHERE x.subscription_id = d.subscription_id AND x.staff_id = $1"
            "   UNION SELECT e.event_id"
            "   FROM deliveries waiting JOIN events e ON e.seq = waiting.seq"
            "   WHERE waiting.subscription_id = d.subscription_id AND waiting.delivered_at IS NULL"
            "     AND $1 = ANY(e.people) AND waiting.seq < d.seq)"
            " FROM subscriptions s WHERE d.seq = $2 AND s.id = d.subscription_id AND s.format = $3",
            staff_id, erasure_seq, Format.XAPI.value,
        )  # fmt: skip
        await self.conn.execute("DELETE FROM recipients WHERE staff_id = $1", staff_id)
