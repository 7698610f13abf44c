"""Hours, without I/O: the ledger per school year (1 August to 31 July), the yearly target
per role that a board may set (defaults from the collective agreements, pro rata by FTE),
and the former teacher register's four-year profile."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from contracts.values import Sector
from services.portfolio.domain.portfolio import Entry
from services.portfolio.domain.profiles import Profile
from services.shared.clock import school_year as school_year


def valid_school_year(text: str) -> str:
    """A school year as written ("2025-2026"): two years, the second one after the first."""
    first, _, second = text.partition("-")
    if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        raise ValueError(f"{text}: a school year is two consecutive years, like 2025-2026")
    return text


@dataclass
class YearLedger:
    school_year: str
    hours: float = 0.0
    activities: int = 0
    by_domain: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    by_goal_tag: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    by_kind: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    by_academy: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    """By the academy (or, for learning staff added themselves, the provider)."""


def ledger(entries: Iterable[Entry]) -> list[YearLedger]:
    """Hours per school year, newest first. An activity that serves several domains (or goal
    tags) counts its hours towards each of them, so domain totals may exceed the year's total."""
    years: dict[str, YearLedger] = {}
    for e in entries:
        if not e.counts:
            continue
        assert e.completed_on is not None and e.hours is not None
        year = years.setdefault(
            school_year(e.completed_on), YearLedger(school_year(e.completed_on))
        )
        year.hours += e.hours
        year.activities += 1
        year.by_kind[e.kind] += e.hours
        year.by_academy[e.academy_name or "(other)"] += e.hours
        for d in e.domains:
            year.by_domain[d] += e.hours
        for g in e.goal_tags:
            year.by_goal_tag[g] += e.hours
    return [_rounded(years[k]) for k in sorted(years, reverse=True)]


def _rounded(y: YearLedger) -> YearLedger:
    def r(values: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 2) for k, v in sorted(values.items())}

    return YearLedger(
        y.school_year,
        round(y.hours, 2),
        y.activities,
        r(y.by_domain),
        r(y.by_goal_tag),
        r(y.by_kind),
        r(y.by_academy),
    )


WORKING_WEEKS = 40
"""Working weeks in a school year, for targets given per week."""
DEFAULTS = {Sector.PO: 2.0 * WORKING_WEEKS, Sector.VO: 83.0}
"""Hours a year at full time: primary 2 clock hours per working week, secondary 83."""
REGISTER_YEARS, REGISTER_HOURS, REGISTER_DOMAIN_HOURS = 4, 160.0, 100.0
COMPETENCE_DOMAINS = {"subject_knowledge", "subject_didactics", "pedagogy"}


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
