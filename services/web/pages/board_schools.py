"""What the board pages share: the visitor's board, its schools as people know them, and
numbers typed the Dutch way.

The directory knows a school only by its id (and the people placed in it), not by a name
or BRIN code, so a school is shown by its leaders: "School van Femke de Boer"; a school
without a leader by its place among the board's schools: "School 3"."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from services.shared.identity.access import Role
from services.shared.identity.directory import Person
from services.web.frame import Forbidden, Page
from services.web.i18n import Translator


@dataclass(frozen=True)
class School:
    school_id: UUID
    label: str
    staff: int
    leaders: tuple[str, ...]


def board_of(p: Page) -> UUID:
    """The board the visitor administers (a board administrator without a board has none)."""
    p.require(Role.BOARD_ADMIN)
    board = p.visitor.principal.board_id
    if board is None:
        raise Forbidden(p.t("role.board_admin"))
    return board


def schools_of(members: Sequence[Person], t: Translator) -> list[School]:
    """The board's schools (every school someone of the board is placed in), those with a
    leader first by the leader's name, then the others in a fixed order."""
    staff: dict[UUID, int] = {}
    leaders: dict[UUID, list[str]] = {}
    for person in members:
        for school in person.schools:
            staff[school] = staff.get(school, 0) + 1
            if Role.LEADER in person.roles:
                leaders.setdefault(school, []).append(person.name)
    led = sorted((s for s in staff if s in leaders), key=lambda s: (sorted(leaders[s]), str(s)))
    unled = sorted((s for s in staff if s not in leaders), key=str)
    found = [
        School(s, t("board.school.of", leaders=", ".join(sorted(leaders[s]))), staff[s],
               tuple(sorted(leaders[s])))
        for s in led
    ]  # fmt: skip
    found += [
        School(s, t("board.school.numbered", number=len(led) + i), staff[s], ())
        for i, s in enumerate(unled, start=1)
    ]
    return found


def labels(schools: Iterable[School]) -> dict[str, str]:
    """Each school's label by its id (as a string, as the services' JSON has it)."""
    return {str(s.school_id): s.label for s in schools}


def plain(value: float | None) -> str:
    """A number for a form field's value (62.5, 60): the browser shows it the local way."""
    return "" if value is None else f"{value:g}"
