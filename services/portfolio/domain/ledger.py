"""School years and the hours ledger, without I/O."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from services.portfolio.domain.entries import Entry


def school_year(day: date) -> str:
    """The Dutch school year runs from 1 August to 31 July: 2025-08-01 is in "2025-2026"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


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
