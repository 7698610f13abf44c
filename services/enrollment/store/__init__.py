"""Enrollment's PostgreSQL adapter: one Store per connection, for units of work and
queries alike."""

from collections.abc import Sequence

from contracts import Envelope, Event
from services.enrollment.store.enrollments import EnrollmentTables, RowLock
from services.enrollment.store.records import RecordTables
from services.shared.db import Connection

__all__ = ["RowLock", "Store", "record_history"]


class Store(EnrollmentTables, RecordTables):
    """Enrollment's tables on one connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn


async def record_history(conn: Connection, envelopes: Sequence[Envelope[Event]]) -> None:
    """Enrollment's journal: every event about an enrollment, in the transaction that made
    it (the unit of work's journal hook)."""
    await Store(conn).add_history(envelopes)
