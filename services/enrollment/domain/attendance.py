"""Completion that follows from attendance, by the offering's criteria. No I/O."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from contracts.values import OfferingDetails


@dataclass(frozen=True)
class Outcome:
    completed: bool
    attended_share: float
    on: date
    """The day of the last session: the completion counts in that school year."""


def outcome(offering: OfferingDetails, attended: Mapping[UUID, bool]) -> Outcome | None:
    """Completed or not, once attendance is recorded for every session; None before."""
    ids = [s.session_id for s in offering.sessions if s.session_id is not None]
    if not ids or any(i not in attended for i in ids):
        return None
    share = sum(attended[i] for i in ids) / len(ids)
    last = max(s.ends_at for s in offering.sessions).date()
    return Outcome(share >= offering.completion.min_attendance_share, round(share, 4), last)
