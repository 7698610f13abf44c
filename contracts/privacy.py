"""Events of people's rights under the GDPR (AVG): published by the portfolio service,
which holds a staff member's legal dossier and where the privacy officer erases them."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from contracts import topics
from contracts.event import Event
from contracts.values import Employed


class PersonErased(Event):
    """The board's privacy officer erased a staff member: their key is destroyed (every
    text sealed with it is unreadable) and the directory no longer links their id to a
    person. Every consumer removes what it holds about them and applies nothing about them
    again; an external subscriber should do the same."""

    ce_type: ClassVar[str] = "nl.huisacademie.privacy.person_erased.v1"
    topic: ClassVar[str] = topics.ERASURES
    staff_id: UUID
    erased_at: datetime
    employer: Employed = None

    def key(self) -> str:
        return str(self.staff_id)

    def data_subject(self) -> UUID:
        return self.staff_id


EVENTS: tuple[type[Event], ...] = (PersonErased,)
