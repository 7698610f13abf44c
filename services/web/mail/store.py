"""The mail's rows (migrations/002_mail.sql): seats, offerings, notices and the outbox, on
the connection of the caller's transaction."""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from uuid import UUID

import asyncpg
from pydantic import TypeAdapter

from contracts.values import OfferingDetails, Session
from services.shared.db import Connection
from services.web.mail.notices import CalendarEntry, Mail, Notice, NoticeKind, Offering, Seat

_SESSIONS = TypeAdapter(tuple[Session, ...])


LEFT_KEPT = timedelta(hours=1)
"""How long a seat given up stays known: longer than the web's offerings consumer may lag
behind its enrollments consumer (a withdrawal tells whoever left within it, which also
tells someone who cancelled just before; the offering is not taking place either way)."""


class MailStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # Seats and offerings: whom to tell, about what.

    async def take_seat(self, seat: Seat, offering_id: UUID) -> None:
        await self.conn.execute(
            "INSERT INTO mail_seats (enrollment_id, staff_id, offering_id, status)"
            " VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (enrollment_id) DO UPDATE SET status = $4, left_at = NULL",
            seat.enrollment_id, seat.staff_id, offering_id,
            "waitlisted" if seat.waitlisted else "enrolled",
        )  # fmt: skip

    async def leave_seat(self, enrollment_id: UUID, *, kept: bool = False) -> None:
        """The enrollment ended; `kept`: a seat given up stays known for a while (LEFT_KEPT),
        for a withdrawal seen after the cancellations it caused."""
        if kept:
            await self.conn.execute(
                "UPDATE mail_seats SET left_at = now() WHERE enrollment_id = $1", enrollment_id
            )
        else:
            await self.conn.execute(
                "DELETE FROM mail_seats WHERE enrollment_id = $1", enrollment_id
            )

    async def seats(self, offering_id: UUID, *, lately_left: bool = False) -> list[Seat]:
        """Who holds a seat or waits; `lately_left`: also who gave theirs up lately."""
        rows = await self.conn.fetch(
            "SELECT enrollment_id, staff_id, status FROM mail_seats WHERE offering_id = $1"
            " AND (left_at IS NULL OR ($2 AND left_at > now() - $3::interval))",
            offering_id,
            lately_left,
            LEFT_KEPT,
        )
        return [Seat(r["enrollment_id"], r["staff_id"], r["status"] == "waitlisted") for r in rows]

    async def name_offering(self, offering_id: UUID, title: str, academy_name: str) -> None:
        """An offering an enrollment names, until the catalogue's event tells more."""
        await self.conn.execute(
            "INSERT INTO mail_offerings (offering_id, title, academy_name) VALUES ($1, $2, $3)"
            " ON CONFLICT (offering_id) DO NOTHING",
            offering_id, title, academy_name,
        )  # fmt: skip

    async def save_offering(self, details: OfferingDetails) -> None:
        await self.conn.execute(
            "INSERT INTO mail_offerings (offering_id, title, academy_name, details, version)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (offering_id) DO UPDATE SET title = $2,"
            " academy_name = $3, details = $4, version = $5",
            details.offering_id, details.title, details.academy_name,
            details.model_dump_json(), details.version,
        )  # fmt: skip

    async def withdraw_offering(self, offering_id: UUID) -> bool:
        """Marks it withdrawn; False when it was already (or the web knew it not)."""
        done = await self.conn.execute(
            "UPDATE mail_offerings SET withdrawn = true WHERE offering_id = $1 AND NOT withdrawn",
            offering_id,
        )
        return done.endswith(" 1")

    async def offering(self, offering_id: UUID, *, lock: bool = False) -> Offering | None:
        row = await self.conn.fetchrow(
            "SELECT offering_id, title, academy_name, details, withdrawn FROM mail_offerings"
            " WHERE offering_id = $1" + (" FOR UPDATE" if lock else ""),
            offering_id,
        )
        if row is None:
            return None
        details = row["details"] and OfferingDetails.model_validate_json(row["details"])
        return Offering(
            row["offering_id"], row["title"], row["academy_name"], details or None,
            row["withdrawn"],
        )  # fmt: skip

    # Notices: written with the event's inbox row, made into messages by the mail job.

    async def add_notices(self, notices: Iterable[Notice]) -> None:
        await self.conn.executemany(
            "INSERT INTO mail_notices (id, kind, staff_id, enrollment_id, offering_id,"
            " waitlisted, removed) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            [
                (n.id, n.kind.value, n.staff_id, n.enrollment_id, n.offering_id, n.waitlisted,
                 _SESSIONS.dump_json(n.removed).decode())
                for n in notices
            ],
        )  # fmt: skip

    async def pending_notices(self, limit: int) -> list[Notice]:
        """The oldest notices no other instance is making into messages (row-locked)."""
        rows = await self.conn.fetch(
            "SELECT * FROM mail_notices ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED",
            limit,
        )
        return [_notice(r) for r in rows]

    async def drop_notice(self, notice_id: UUID) -> None:
        await self.conn.execute("DELETE FROM mail_notices WHERE id = $1", notice_id)

    # The outbox.

    async def put_mail(self, mails: Sequence[Mail]) -> None:
        await self.conn.executemany(
            "INSERT INTO mail_outbox (id, staff_id, about, recipient, subject, body, calendar,"
            " calendar_method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            [
                (m.id, m.staff_id, m.about, m.recipient, m.subject, m.body,
                 m.calendar and m.calendar.content, m.calendar and m.calendar.method)
                for m in mails
            ],
        )  # fmt: skip

    async def next_due(self) -> tuple[Mail, int] | None:
        """The next message due and how often it was tried, row-locked until the caller's
        transaction ends: another instance skips it (FOR UPDATE SKIP LOCKED), so no two
        ever send one message at the same time."""
        row = await self.conn.fetchrow(
            "SELECT * FROM mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL"
            " AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1"
            " FOR UPDATE SKIP LOCKED"
        )
        if row is None:
            return None
        calendar = row["calendar"] and CalendarEntry(row["calendar_method"], row["calendar"])
        mail = Mail(
            row["id"], row["staff_id"], row["recipient"], row["subject"], row["body"],
            calendar or None, row["about"],
        )  # fmt: skip
        return mail, row["attempts"]

    async def sent(self, mail_id: UUID) -> None:
        await self.conn.execute(
            "UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL"
            " WHERE id = $1",
            mail_id,
        )

    async def failed(self, mail_id: UUID, error: str, retry_in: timedelta | None) -> None:
        """An attempt failed: tried again after `retry_in`, or never (None)."""
        await self.conn.execute(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,"
            " next_attempt_at = now() + coalesce($3, interval '0'),"
            " given_up_at = CASE WHEN $3::interval IS NULL THEN now() END WHERE id = $1",
            mail_id, error, retry_in,
        )  # fmt: skip

    async def sweep(self, kept: timedelta) -> int:
        """Messages sent (or, unsent, made) longer ago than `kept` are deleted."""
        done = await self.conn.execute(
            "DELETE FROM mail_outbox WHERE coalesce(sent_at, created_at) < now() - $1::interval",
            kept,
        )
        await self.conn.execute(
            "DELETE FROM mail_seats WHERE left_at < now() - $1::interval", LEFT_KEPT
        )
        return int(done.split()[-1])

    # A person's data.

    async def forget(self, staff_id: UUID) -> None:
        """An erased person: their seats, notices and mail, and mail about them."""
        await self.conn.execute("DELETE FROM mail_seats WHERE staff_id = $1", staff_id)
        await self.conn.execute("DELETE FROM mail_notices WHERE staff_id = $1", staff_id)
        await self.conn.execute(
            "DELETE FROM mail_outbox WHERE staff_id = $1 OR about = $1", staff_id
        )

    async def mail_to(self, staff_id: UUID) -> list[dict[str, object]]:
        """The mail kept that was sent to the person (for their data export)."""
        rows = await self.conn.fetch(
            "SELECT recipient, subject, body, created_at, sent_at FROM mail_outbox"
            " WHERE staff_id = $1 ORDER BY created_at",
            staff_id,
        )
        return [dict(r) for r in rows]


def _notice(row: asyncpg.Record) -> Notice:
    return Notice(
        row["id"], NoticeKind(row["kind"]), row["staff_id"], row["offering_id"],
        row["enrollment_id"], row["waitlisted"], _SESSIONS.validate_json(row["removed"]),
        row["created_at"],
    )  # fmt: skip
