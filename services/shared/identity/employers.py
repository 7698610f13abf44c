"""Events name who employs the person they are about (`employer`), from the directory, as
they leave their service: an event belongs to that board (docs/subscribing.md)."""

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from contracts import Event
from contracts.values import Employer
from services.shared.identity.directory import Person


class People(Protocol):
    async def person(self, staff_id: UUID) -> Person | None: ...


async def stamp(events: Sequence[Event], directory: People) -> list[Event]:
    """The events, each with an `employer` field given its person's board and schools where
    the directory knows them; events that name one already, or have no such field, as is."""
    wanted = {who for e in events if _unnamed(e) and (who := e.employee()) is not None}
    employers: dict[UUID, Employer] = {}
    for staff_id in wanted:
        person = await directory.person(staff_id)
        if person is not None:
            employers[staff_id] = Employer(
                board_id=person.board_id, school_ids=tuple(sorted(person.schools, key=str))
            )
    return [
        e.model_copy(update={"employer": employers[who]})
        if _unnamed(e) and (who := e.employee()) in employers
        else e
        for e in events
    ]


def _unnamed(event: Event) -> bool:
    return "employer" in type(event).model_fields and getattr(event, "employer", None) is None
