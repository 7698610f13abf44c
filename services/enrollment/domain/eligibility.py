"""Who may enrol, and when: the enrollment window, visibility, audience, and sessions that
clash with sessions the person already has. No I/O."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.values import OfferingDetails, Sector, Session, StaffRole, Visibility
from services.shared.errors import CommandRejected, Conflict


@dataclass(frozen=True)
class StaffMember:
    """Who asks: identity comes from the board's identity provider."""

    staff_id: UUID
    board_id: UUID
    role: StaffRole
    sector: Sector | None = None


class NotEligible(CommandRejected):
    """The staff member may not enrol in this offering; the message says why."""


class Clash(Conflict):
    """The offering's sessions overlap sessions the person already has."""

    def __init__(self, overlaps: list[str]) -> None:
        super().__init__(
            "the sessions overlap sessions you already have: "
            + "; ".join(overlaps)
            + ". Repeat the request with confirm_overlap=true to enrol anyway."
        )
        self.overlaps = overlaps


def check_open_to(offering: OfferingDetails, board_id: UUID, now: datetime) -> None:
    """The enrollment window is open and the offering is visible to the board."""
    if offering.enrolment_opens and now < offering.enrolment_opens:
        raise NotEligible(f"enrolment opens at {offering.enrolment_opens.isoformat()}")
    if offering.enrolment_closes and now >= offering.enrolment_closes:
        raise NotEligible(f"enrolment closed at {offering.enrolment_closes.isoformat()}")
    if offering.visibility is Visibility.OWN_BOARD and board_id != offering.board_id:
        raise NotEligible("this offering is only for staff of the board that runs the academy")


def check_eligible(offering: OfferingDetails, staff: StaffMember, now: datetime) -> None:
    check_open_to(offering, staff.board_id, now)
    roles = offering.audience.roles
    if roles and staff.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise NotEligible(f"this offering is for {allowed}; the staff member is {staff.role.value}")
    sectors = offering.audience.sectors
    if sectors and staff.sector is not None and staff.sector not in sectors:
        allowed = ", ".join(s.value.upper() for s in sectors)
        works_in = staff.sector.value.upper()
        raise NotEligible(f"this offering is for {allowed}; the staff member works in {works_in}")


def overlaps(wanted: Iterable[Session], booked: Iterable[tuple[str, Session]]) -> list[str]:
    """Descriptions of the booked sessions that overlap a wanted one."""
    found = []
    for title, other in booked:
        for session in wanted:
            if session.starts_at < other.ends_at and other.starts_at < session.ends_at:
                found.append(f"{title} on {other.starts_at.isoformat()}")
                break
    return found
