"""Time as the services count it: instants in UTC, days in the Netherlands (a school year,
an as-of date, a completion without a date all mean Dutch days)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    return datetime.now(UTC)


def dutch_today() -> date:
    return datetime.now(AMSTERDAM).date()


def school_year(day: date) -> str:
    """The Dutch school year runs from 1 August to 31 July: 2025-08-01 is in "2025-2026"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def end_of_dutch_day(day: date) -> datetime:
    """The first instant after `day` ends in the Netherlands."""
    return datetime.combine(day + timedelta(days=1), time(), AMSTERDAM)
