"""The portfolio's journal: every event it applied or made, kept so that a portfolio can
be shown as it stood on any date."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from pydantic_core import to_json

from contracts import Envelope, Event
from contracts.registry import event_type_for
from services.portfolio.domain.entries import staff_of
from services.shared.db import Connection


def _row(e: Envelope[Event]) -> bytes:
    about = to_json({"event_id": e.id, "type": e.type, "at": e.time, "staff_ids": staff_of(e.data)})
    return about[:-1] + b',"data":' + e.body() + b"}"


class JournalTables:
    """The journal."""

    _conn: Connection

    async def record(self, envelopes: Sequence[Envelope[Event]]) -> None:
        """In the caller's transaction, beside the effect; every row in one statement."""
        await self._conn.execute(
            "INSERT INTO journal (event_id, type, at, staff_ids, data)"
            " SELECT event_id, type, at, staff_ids, data"
            " FROM jsonb_populate_recordset(NULL::journal, $1::jsonb)"
            " ON CONFLICT (event_id) DO NOTHING",
            (b"[" + b",".join(_row(e) for e in envelopes) + b"]").decode(),
        )

    async def events_of(self, staff_id: UUID, until: datetime) -> list[Event]:
        """The events about a staff member recorded before `until`, in the order applied."""
        rows = await self._conn.fetch(
            "SELECT type, data FROM journal"
            " WHERE staff_ids @> ARRAY[$1::uuid] AND at < $2 ORDER BY seq",
            staff_id,
            until,
        )
        return [event_type_for(r["type"]).model_validate_json(r["data"]) for r in rows]
