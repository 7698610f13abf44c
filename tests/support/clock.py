"""The date as the services count it: Dutch school years, Dutch days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo


def dutch_today() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()
