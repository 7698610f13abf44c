"""The web application's languages: Dutch by default, English available. Every word a
page shows comes through a Translator; a key missing from the language's table shows as
⟦key⟧, which the browser tests look for."""

import importlib
import pkgutil
from datetime import date, datetime
from functools import cache

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal

from services.shared.clock import AMSTERDAM
from services.web import messages

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
TIMEZONE = AMSTERDAM
MISSING = "⟦{}⟧"
_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every area's table for the language, in one."""
    table: dict[str, str] = {}
    for module in pkgutil.iter_modules(messages.__path__):
        area = importlib.import_module(f"{messages.__name__}.{module.name}")
        table.update(getattr(area, language.upper()))
    return table


class Translator:
    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT
        self.locale = _LOCALES[self.language]
        self.table = catalogue(self.language)

    def __call__(self, key: str, **values: object) -> str:
        text = self.table.get(key)
        if text is None:
            return MISSING.format(key)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self.table

    def date(self, day: date | str | None) -> str:
        """8 januari 2027."""
        if day is None or day == "":
            return ""
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        return format_date(day, "d MMMM y", locale=self.locale)

    def moment(self, when: datetime | str | None) -> str:
        """vr 8 januari 2027, 09:00 (Dutch time)."""
        if when is None or when == "":
            return ""
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        return format_datetime(when, "EEE d MMMM y, HH:mm", tzinfo=TIMEZONE, locale=self.locale)

    def time(self, when: datetime | str) -> str:
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        return format_time(when, "HH:mm", tzinfo=TIMEZONE, locale=self.locale)

    def hours(self, hours: float | int | None) -> str:
        """6,5 uur."""
        figure = format_decimal(hours or 0, format="#,##0.#", locale=self.locale)
        return self("common.hours", hours=figure)

    def number(self, value: float | int | None) -> str:
        return format_decimal(value or 0, format="#,##0.#", locale=self.locale)

    def school_year(self, year: str) -> str:
        return self("common.school_year", year=year)

    def named(self, group: str, code: str | None) -> str:
        """A value of the system by its name: domain, kind, state, role."""
        return self(f"{group}.{code}") if code else ""
