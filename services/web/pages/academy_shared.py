"""What the academy pages share: the academies the visitor administers, an offering of
one of them, enrollment's view of its seats and enrolments (named, in groups), and when a
service's refusal is about the form rather than a reason for an error page."""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends

from services.shared.identity.access import Role
from services.web.apis import Refused
from services.web.frame import Forbidden, Page, page

Visit = Annotated[Page, Depends(page)]
HOME = "/academie"
GROUPS = (
    ("participants", ("enrolled", "completed", "not_completed")),
    ("waiting", ("waitlisted",)),
    ("requested", ("requested",)),
    ("interested", ("interested",)),
    ("gone", ("cancelled", "declined")),
)
"""The enrolments of an offering as the academy sees them: who holds a seat, the waiting
list in order, requests awaiting a leader, the interest list, and those no longer in."""


async def academies(p: Page) -> list[dict[str, Any]]:
    """The academies the visitor administers, by name."""
    ids = sorted(p.visitor.principal.academies)
    found = await asyncio.gather(*(p.apis.get("catalogue", f"/academies/{a}") for a in ids))
    return sorted(found, key=lambda a: str(a["name"]).lower())


async def offering_of(p: Page, offering_id: UUID) -> dict[str, Any]:
    """The offering, of an academy the visitor administers."""
    p.require(Role.ACADEMY_ADMIN)
    offering: dict[str, Any] = await p.apis.get("catalogue", f"/offerings/{offering_id}")
    if UUID(offering["academy_id"]) not in p.visitor.principal.academies:
        raise Forbidden(p.t("academy.not_yours"))
    return offering


async def seats_of(p: Page, offering_id: UUID | str) -> dict[str, Any] | None:
    """Enrollment's view of the offering; None while it has not yet heard of a new one."""
    try:
        seats: dict[str, Any] = await p.apis.get("enrollment", f"/offerings/{offering_id}")
    except Refused as e:
        if e.status == 404:
            return None
        raise
    return seats


@dataclass(frozen=True)
class Row:
    """An enrolment as a page shows it: whose, where it stands."""

    enrollment: dict[str, Any]
    name: str
    place: int = 0
    """On the waiting list: the place in line (1 is next)."""


async def grouped(p: Page, seats: dict[str, Any] | None) -> dict[str, list[Row]]:
    """The enrolments per group (GROUPS, in that order), named from the directory."""
    if seats is None:
        return {}
    enrollments = seats["enrollments"]
    names = await p.names(e["staff_id"] for e in enrollments)
    line = {e: n for n, e in enumerate(seats["waiting_list"], start=1)}
    groups = {}
    for group, states in GROUPS:
        rows = [
            Row(e, names[e["staff_id"]], line.get(e["enrollment_id"], 0))
            for e in enrollments
            if e["status"] in states
        ]
        groups[group] = sorted(rows, key=lambda r: (r.place, r.name.lower()))
    return groups


def refusal_status(e: Refused) -> int:
    """The status a form refused by a service comes back with (409, 422); any other
    refusal (not allowed, not found) is raised again, for the error page."""
    if e.status not in (409, 422):
        raise e
    return e.status
