"""Targets for professional development, without I/O: a yearly target per role that a
board may set (defaults from the collective agreements, pro rata by FTE), and the former
teacher register's four-year profile."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from contracts.values import Sector, StaffRole
from services.portfolio.domain.entries import Entry
from services.portfolio.domain.ledger import school_year

WORKING_WEEKS = 40
"""Working weeks in a school year, for targets given per week."""
DEFAULTS = {Sector.PO: 2.0 * WORKING_WEEKS, Sector.VO: 83.0}
"""Hours a year at full time: primary 2 clock hours per working week, secondary 83."""
REGISTER_YEARS, REGISTER_HOURS, REGISTER_DOMAIN_HOURS = 4, 160.0, 100.0
COMPETENCE_DOMAINS = {"subject_knowledge", "subject_didactics", "pedagogy"}


@dataclass(frozen=True)
class Profile:
    staff_id: UUID
    board_id: UUID
    role: StaffRole
    sector: Sector
    fte: float
    school_ids: tuple[UUID, ...] = ()
    team: str = ""


def yearly_target(profile: Profile | None, board_targets: Mapping[str, float]) -> float | None:
    """The board's hours for the role, else the collective agreement's, times the FTE."""
    if profile is None:
        return None
    full_time = board_targets.get(profile.role.value, DEFAULTS[profile.sector])
    return round(full_time * profile.fte, 2)


@dataclass(frozen=True)
class FourYears:
    first_year: str
    last_year: str
    hours: float
    domain_hours: float
    """Hours of activities on at least one of the three competence domains, each counted once."""
    hours_target: float = REGISTER_HOURS
    domain_target: float = REGISTER_DOMAIN_HOURS

    @property
    def met(self) -> bool:
        return self.hours >= self.hours_target and self.domain_hours >= self.domain_target


def four_years(entries: Iterable[Entry], today: date) -> FourYears:
    """The last four school years up to and including the current one."""
    last = school_year(today)
    first_start = int(last[:4]) - (REGISTER_YEARS - 1)
    first = f"{first_start}-{first_start + 1}"
    counted = [e for e in entries if e.counts and first <= school_year(e.completed_on) <= last]  # type: ignore[arg-type]
    hours = sum(e.hours or 0 for e in counted)
    on_domains = sum(e.hours or 0 for e in counted if COMPETENCE_DOMAINS & set(e.domains))
    return FourYears(first, last, round(hours, 2), round(on_domains, 2))
