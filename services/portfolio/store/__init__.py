"""The portfolio's PostgreSQL adapter: the read models and the journal, one Store per
connection, for units of work and queries alike."""

from collections.abc import Sequence

from contracts import Envelope, Event
from services.portfolio.store.audits import AuditTables
from services.portfolio.store.entries import EntryTables
from services.portfolio.store.journal import JournalTables
from services.portfolio.store.people import PeopleTables
from services.shared.db import Connection

__all__ = ["Store", "record_journal"]


class Store(EntryTables, AuditTables, PeopleTables, JournalTables):
    """The portfolio's tables on one connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn


async def record_journal(conn: Connection, envelopes: Sequence[Envelope[Event]]) -> None:
    """The portfolio's journal: every event it applied or made, in the transaction that
    applied or made it (the unit of work's journal hook)."""
    await Store(conn).record(envelopes)
