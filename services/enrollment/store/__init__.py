"""Enrollment's PostgreSQL adapter: one Store per connection, for units of work and
queries alike. Offerings as the catalogue describes them, enrollments, their history (the
service's journal) and programme completions here; sessions and attendance, and
reservations, in the modules beside it."""

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from contracts import Envelope, Event
from contracts.values import EnrollmentStatus, OfferingDetails
from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.domain.enrollments import HOLDS_A_SEAT, Credit, Enrollment, Offering
from services.enrollment.store.reservations import ReservationTables
from services.enrollment.store.sessions import SessionTables
from services.shared.db import Connection
from services.shared.errors import NotFound

_COLUMNS = "enrollment_id, offering_id, staff_id, status, completed_on, hours"
_SEATED = [s.value for s in HOLDS_A_SEAT]


RowLock = Literal["", "FOR UPDATE", "FOR SHARE"]


_UPDATE = (
    "UPDATE enrollments SET status = $2, completed_on = $3, hours = $4,"
    " revision = revision + 1, updated_at = now(),"
    " queue_position = CASE WHEN $2 = 'waitlisted' AND status <> 'waitlisted'"
    "   THEN nextval('waiting_list_order') ELSE queue_position END"
    " WHERE enrollment_id = $1"
)


def _credit(e: Enrollment) -> tuple[date | None, float | None]:
    return (e.credit.on, e.credit.hours) if e.credit else (None, None)


def _enrollment(row: asyncpg.Record) -> Enrollment:
    on, hours = row["completed_on"], row["hours"]
    return Enrollment(
        row["enrollment_id"], row["offering_id"], row["staff_id"], EnrollmentStatus(row["status"]),
        Credit(on, float(hours)) if on is not None and hours is not None else None,
    )  # fmt: skip


_ADD = (
    "INSERT INTO enrollments (enrollment_id, offering_id, staff_id, board_id, role, status,"
    " idempotency_key, queue_position)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7,"
    " CASE WHEN $6 = 'waitlisted' THEN nextval('waiting_list_order') END)"
)


class Store(SessionTables, ReservationTables):
    """Enrollment's tables on one connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def offering(self, offering_id: UUID, *, lock: RowLock = "FOR UPDATE") -> Offering:
        """The offering, locked as asked, or NotFound."""
        found = await self.get_offering(offering_id, lock=lock)
        if found is None:
            missing = f"no offering {offering_id} (a newly published offering may take a moment)"
            raise NotFound(missing)
        return found

    async def enrollment(self, enrollment_id: UUID, *, lock: bool = False) -> Enrollment:
        """The enrollment, row-locked when asked, or NotFound."""
        found = await self.get(enrollment_id, lock=lock)
        if found is None:
            raise NotFound(f"no enrollment {enrollment_id}")
        return found

    async def locked(
        self, enrollment_id: UUID, *, seats: bool = True
    ) -> tuple[Enrollment, Offering]:
        """The enrollment as it stands once its offering is locked: every change to an
        enrollment takes its offering's lock, so what it reads now holds until commit.

        A change that decides no seat (``seats=False``: attendance, completion) shares the
        offering's lock and takes the enrollment's row lock instead, so completions on one
        offering run side by side while seat decisions and offering changes still wait."""
        first = await self.enrollment(enrollment_id)
        held = await self.offering(first.offering_id, lock="FOR UPDATE" if seats else "FOR SHARE")
        return await self.enrollment(enrollment_id, lock=not seats), held

    async def save_offering(self, o: Offering) -> None:
        await self._conn.execute(
            "INSERT INTO offerings (offering_id, details, withdrawn) VALUES ($1, $2, $3)"
            " ON CONFLICT (offering_id) DO UPDATE SET details = EXCLUDED.details,"
            " withdrawn = EXCLUDED.withdrawn, updated_at = now()",
            o.offering_id,
            o.details.model_dump_json(),
            o.withdrawn,
        )

    async def get_offering(self, offering_id: UUID, *, lock: RowLock = "") -> Offering | None:
        """FOR UPDATE serialises every seat decision on one offering; FOR SHARE holds the
        offering still (no seat decision, no change) while others share it too."""
        row = await self._conn.fetchrow(
            f"SELECT details, withdrawn FROM offerings WHERE offering_id = $1 {lock}", offering_id
        )
        if row is None:
            return None
        return Offering(OfferingDetails.model_validate_json(row["details"]), row["withdrawn"])

    async def count_seated(self, offering_id: UUID) -> int:
        """Seats taken: held by a person, or reserved for a team and not yet filled."""
        n: int = await self._conn.fetchval(
            "SELECT (SELECT count(*) FROM enrollments"
            "        WHERE offering_id = $1 AND status = ANY($2::text[]))"
            "     + (SELECT coalesce(sum(seats - filled), 0) FROM reservations"
            "        WHERE offering_id = $1 AND NOT released)",
            offering_id,
            _SEATED,
        )
        return n

    async def add_many(self, added: Sequence[tuple[Enrollment, StaffMember, str | None]]) -> None:
        """In order: whoever joins the waiting list takes the next place in the queue."""
        await self._conn.executemany(
            _ADD,
            [
                (e.enrollment_id, e.offering_id, e.staff_id, staff.board_id, staff.role.value,
                 e.status.value, key)
                for e, staff, key in added
            ],
        )  # fmt: skip

    async def update(self, items: Sequence[Enrollment]) -> None:
        """New states; one that joins the waiting list takes the next place in the queue."""
        rows = [(e.enrollment_id, e.status.value, *_credit(e)) for e in items]
        await self._conn.executemany(_UPDATE, rows)

    async def get(self, enrollment_id: UUID, *, lock: bool = False) -> Enrollment | None:
        sql = f"SELECT {_COLUMNS} FROM enrollments WHERE enrollment_id = $1"
        row = await self._conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), enrollment_id)
        return _enrollment(row) if row else None

    async def by_idempotency_key(self, staff_id: UUID, key: str) -> Enrollment | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM enrollments WHERE staff_id = $1 AND idempotency_key = $2",
            staff_id,
            key,
        )
        return _enrollment(row) if row else None

    async def live(self, offering_id: UUID, staff_id: UUID) -> Enrollment | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM enrollments WHERE offering_id = $1 AND staff_id = $2"
            " AND status NOT IN ('cancelled', 'declined')",
            offering_id,
            staff_id,
        )
        return _enrollment(row) if row else None

    async def by_idempotency_keys(
        self, keys: Sequence[tuple[UUID, str]]
    ) -> dict[tuple[UUID, str], Enrollment]:
        """by_idempotency_key for many (staff id, key) pairs at once."""
        if not keys:
            return {}
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS}, idempotency_key FROM enrollments"
            " WHERE (staff_id, idempotency_key) IN"
            " (SELECT * FROM unnest($1::uuid[], $2::text[]))",
            [staff_id for staff_id, _ in keys],
            [key for _, key in keys],
        )
        return {(r["staff_id"], r["idempotency_key"]): _enrollment(r) for r in rows}

    async def live_many(
        self, offering_id: UUID, staff_ids: Sequence[UUID]
    ) -> dict[UUID, Enrollment]:
        """live for many people at once."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM enrollments WHERE offering_id = $1"
            " AND staff_id = ANY($2::uuid[]) AND status NOT IN ('cancelled', 'declined')",
            offering_id,
            list(staff_ids),
        )
        return {r["staff_id"]: _enrollment(r) for r in rows}

    async def with_status(self, offering_id: UUID, *statuses: EnrollmentStatus) -> list[Enrollment]:
        """In queue order for the waiting list, in order of arrival otherwise."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM enrollments"
            " WHERE offering_id = $1 AND status = ANY($2::text[])"
            " ORDER BY queue_position NULLS LAST, seq",
            offering_id,
            [s.value for s in statuses],
        )
        return [_enrollment(r) for r in rows]

    async def listing(
        self, *, offering_id: UUID | None = None, staff_id: UUID | None = None
    ) -> list[Enrollment]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM enrollments WHERE ($1::uuid IS NULL OR offering_id = $1)"
            " AND ($2::uuid IS NULL OR staff_id = $2) ORDER BY seq",
            offering_id,
            staff_id,
        )
        return [_enrollment(r) for r in rows]

    async def of_staff_members(
        self, staff_ids: Sequence[UUID], status: EnrollmentStatus | None = None
    ) -> list[Enrollment]:
        """The enrollments of these people (in this state, if given), in order of arrival."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM enrollments WHERE staff_id = ANY($1::uuid[])"
            " AND ($2::text IS NULL OR status = $2) ORDER BY seq",
            list(staff_ids),
            status.value if status else None,
        )
        return [_enrollment(r) for r in rows]

    async def add_history(self, envelopes: Sequence[Envelope[Event]]) -> None:
        """Every event about an enrollment, in the transaction that made it."""
        rows = [
            (enrollment_id, env.id, env.type, env.time, env.body().decode())
            for env in envelopes
            if (enrollment_id := getattr(env.data, "enrollment_id", None)) is not None
        ]
        if rows:
            await self._conn.executemany(
                "INSERT INTO enrollment_history (enrollment_id, event_id, type, at, data)"
                " VALUES ($1, $2, $3, $4, $5)",
                rows,
            )

    async def forget(self, staff_id: UUID, erased_at: datetime) -> None:
        """An erased person: their history and calendar feed go, and are never stored again
        (migrations/004_erasure.sql); their enrolments stay, as facts about seats."""
        await self._conn.execute("SELECT pg_advisory_xact_lock(person_lock($1))", staff_id)
        await self._conn.execute(
            "INSERT INTO erased_staff (staff_id, erased_at) VALUES ($1, $2)"
            " ON CONFLICT (staff_id) DO NOTHING",
            staff_id,
            erased_at,
        )
        await self._conn.execute(
            "DELETE FROM enrollment_history h USING enrollments e"
            " WHERE h.enrollment_id = e.enrollment_id AND e.staff_id = $1",
            staff_id,
        )
        await self._conn.execute("DELETE FROM calendar_feeds WHERE staff_id = $1", staff_id)

    async def personal_rows(self, staff_id: UUID) -> dict[str, list[dict[str, Any]]]:
        """What enrollment keeps about one person beyond their enrollments (their data
        export): attendance, seats they reserved as a leader, programmes they completed,
        and when their calendar feed was made (never its secret)."""
        queries = {
            "attendance": "SELECT a.* FROM attendance a JOIN enrollments e USING (enrollment_id)"
            " WHERE e.staff_id = $1 ORDER BY a.recorded_at",
            "reservations_made": "SELECT reservation_id, offering_id, board_id, seats, filled,"
            " released, created_at FROM reservations WHERE leader_id = $1 ORDER BY created_at",
            "programme_completions": "SELECT programme_id, completed_on"
            " FROM programme_completions WHERE staff_id = $1 ORDER BY completed_on",
            "calendar_feed": "SELECT rotated_at FROM calendar_feeds WHERE staff_id = $1",
        }
        return {
            name: [dict(r) for r in await self._conn.fetch(sql, staff_id)]
            for name, sql in queries.items()
        }

    async def history_of(self, enrollment_id: UUID) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT event_id, type, at, data FROM enrollment_history WHERE enrollment_id = $1"
            " ORDER BY seq",
            enrollment_id,
        )
        return [{**dict(r), "data": json.loads(r["data"])} for r in rows]

    async def save_programme(
        self, programme_id: UUID, title: str, offering_ids: Sequence[UUID]
    ) -> None:
        await self._conn.execute(
            "INSERT INTO programmes (programme_id, title, offering_ids) VALUES ($1, $2, $3)"
            " ON CONFLICT (programme_id) DO UPDATE"
            " SET title = EXCLUDED.title, offering_ids = EXCLUDED.offering_ids",
            programme_id,
            title,
            list(offering_ids),
        )

    async def programmes_finished(
        self, staff_id: UUID, offering_id: UUID
    ) -> list[tuple[UUID, str, list[UUID]]]:
        """Programmes with this offering whose every offering the person has now completed,
        and which were not yet recorded as completed by them."""
        rows = await self._conn.fetch(
            "SELECT p.programme_id, p.title, p.offering_ids FROM programmes p"
            " WHERE $2 = ANY(p.offering_ids)"
            " AND NOT EXISTS (SELECT 1 FROM programme_completions c"
            "   WHERE c.staff_id = $1 AND c.programme_id = p.programme_id)"
            " AND NOT EXISTS (SELECT 1 FROM unnest(p.offering_ids) AS o(id) WHERE NOT EXISTS ("
            "   SELECT 1 FROM enrollments e WHERE e.staff_id = $1 AND e.offering_id = o.id"
            "   AND e.status = 'completed'))",
            staff_id,
            offering_id,
        )
        return [(r["programme_id"], r["title"], list(r["offering_ids"])) for r in rows]

    async def completed_all(self, offering_ids: Sequence[UUID]) -> list[tuple[UUID, date]]:
        """Staff who completed every one of the offerings, with the day of the last completion."""
        rows = await self._conn.fetch(
            "SELECT staff_id, max(completed_on) AS last FROM enrollments"
            " WHERE offering_id = ANY($1::uuid[]) AND status = 'completed'"
            " GROUP BY staff_id HAVING count(DISTINCT offering_id) = cardinality($1::uuid[])",
            list(offering_ids),
        )
        return [(r["staff_id"], r["last"]) for r in rows]

    async def lock_person(self, staff_id: UUID) -> None:
        """Serialises a person's completions, so two at once cannot both miss a programme."""
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtext($1::text))", str(staff_id))

    async def add_programme_completion(self, staff_id: UUID, programme_id: UUID, on: date) -> None:
        await self._conn.execute(
            "INSERT INTO programme_completions (staff_id, programme_id, completed_on)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            staff_id,
            programme_id,
            on,
        )
