"""What the school leader's pages share: the schools they lead, their staff (from the
directory), offerings (from the catalogue), the enrollments of their schools' staff, and
what a service's refusal means in the leader's words."""

import asyncio
import re
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from services.shared.identity.access import Role
from services.shared.identity.directory import Person
from services.web.apis import Refused
from services.web.frame import Forbidden, Page

LIVE = frozenset(
    {"interested", "requested", "enrolled", "waitlisted", "completed", "not_completed"}
)
"""An enrollment that still stands (cancelled and declined ones do not): a person with one
cannot be enrolled in the offering again."""
STAFF_ROLES = ("teacher", "school_leader", "specialist", "teaching_assistant", "other")


def led(p: Page) -> list[UUID]:
    """The schools the visitor leads (this page is for school leaders)."""
    p.require(Role.LEADER)
    return sorted(p.visitor.principal.schools, key=str)


def chosen_school(p: Page, asked: str) -> tuple[UUID, list[UUID]]:
    """The school a page is about (`?school=`, else the first one led), and all of them."""
    schools = led(p)
    if not schools:
        raise Forbidden(p.t("leader.no_school"))
    return next((s for s in schools if str(s) == asked), schools[0]), schools


def school_labels(p: Page, schools: list[UUID]) -> list[tuple[str, str]]:
    """Each school as the pages name it. The directory keeps no school names yet: a
    leader of several schools sees them numbered, in a steady order."""
    return [(str(s), p.t("leader.school.numbered", n=i + 1)) for i, s in enumerate(schools)]


async def staff_of(p: Page, schools: Iterable[UUID]) -> list[Person]:
    """Everyone the directory places in these schools, by name."""
    board = p.visitor.principal.board_id
    if board is None:
        return []
    found: dict[UUID, Person] = {}
    for school in schools:
        for person in await p.directory.members(board, school):
            found.setdefault(person.staff_id, person)
    return sorted(found.values(), key=lambda person: (person.name, str(person.staff_id)))


async def offerings(p: Page, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Offerings from the catalogue by id; one it no longer shows is left out."""
    wanted = sorted(set(ids))

    async def one(offering_id: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = await p.apis.get("catalogue", f"/offerings/{offering_id}")
        except Refused:
            return None
        return found

    answers = await asyncio.gather(*(one(i) for i in wanted))
    return {i: o for i, o in zip(wanted, answers, strict=True) if o is not None}


async def school_enrollments(
    p: Page, schools: Iterable[UUID], status: str | None = None
) -> list[dict[str, Any]]:
    """The enrollments of the schools' staff (each once), as enrollment answers."""
    answers = await asyncio.gather(
        *(p.apis.get("enrollment", f"/schools/{s}/enrollments", status=status) for s in schools)
    )
    seen: dict[str, dict[str, Any]] = {}
    for answer in answers:
        for e in answer:
            seen.setdefault(e["enrollment_id"], e)
    return list(seen.values())


def standing(enrollments: list[dict[str, Any]], offering_id: UUID) -> dict[str, str]:
    """Each person's enrollment in the offering that still stands, by staff id: its state."""
    return {
        e["staff_id"]: e["status"]
        for e in enrollments
        if e["offering_id"] == str(offering_id) and e["status"] in LIVE
    }


_FREE = re.compile(r"^(\d+) (?:reserved )?seat\(s\) (?:free|open)")
_WHO = re.compile(r"staff member ([0-9a-f-]{36}) already has an enrollment")


async def conflict(p: Page, e: Refused, wanted: int) -> str:
    """A service's 409 or 422 on enrolling, reserving or filling seats, as the leader reads
    it: seats short, sessions that overlap, someone already enrolled, or the service's own
    reason where nothing more specific fits."""
    reason = e.reason
    if e.status == 409 and (free := _FREE.match(reason)):
        return p.t("leader.refused.seats", free=int(free.group(1)), wanted=wanted)
    if e.status == 409 and "overlap" in reason:
        return p.t("leader.refused.overlap")
    if e.status == 409 and (who := _WHO.search(reason)):
        name = (await p.names([who.group(1)]))[who.group(1)]
        return p.t("leader.refused.already", name=name)
    if e.status == 409 and "withdrawn" in reason:
        return p.t("leader.refused.withdrawn")
    key = "error.conflict" if e.status == 409 else "error.invalid"
    return p.t(key, why=reason)
