"""The form an academy publishes and edits an offering with: what was typed (shown again
as it was when refused), and the catalogue's body made from it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from starlette.datastructures import FormData

from contracts.values import CompetenceDomain, OfferingKind, Sector, StaffRole, Visibility
from services.web.forms import decimal, listed, tags, text
from services.web.i18n import TIMEZONE, Translator

BLANK_SESSION_ROWS = 2
"""Empty session rows under the filled ones; "more rows" adds three more."""
SESSION_PARTS = ("id", "datum", "begin", "eind", "locatie")
"""A session row's fields in the form: sessie-<row>-<part>."""
CHOICES = {
    "kinds": [k.value for k in OfferingKind],
    "roles": [r.value for r in StaffRole],
    "sectors": [s.value for s in Sector],
    "domains": [d.value for d in CompetenceDomain],
    "visibilities": [v.value for v in Visibility],
}


class FormProblem(Exception):
    """Something in a form the page can name itself, before asking a service."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def number(raw: str, label: str) -> float | None:
    """A number as a Dutch person types it (6,5 or 6.5); blank is None."""
    try:
        return decimal(raw)
    except ValueError as e:
        raise FormProblem("academy.form.not_a_number", field=label) from e


def day(raw: str, label: str) -> str | None:
    """A date from a date field; blank is None."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError as e:
        raise FormProblem("academy.form.not_a_date", field=label) from e


@dataclass
class SessionRow:
    """One session as the form shows it: a date and clock times in Dutch time."""

    session_id: str = ""
    day: str = ""
    starts: str = ""
    ends: str = ""
    location: str = ""

    @classmethod
    def of(cls, session: dict[str, Any]) -> "SessionRow":
        starts = datetime.fromisoformat(session["starts_at"]).astimezone(TIMEZONE)
        ends = datetime.fromisoformat(session["ends_at"]).astimezone(TIMEZONE)
        return cls(
            str(session.get("session_id") or ""), starts.date().isoformat(),
            starts.strftime("%H:%M"), ends.strftime("%H:%M"), session.get("location", ""),
        )  # fmt: skip

    @property
    def blank(self) -> bool:
        return not (self.day or self.starts or self.ends or self.location)

    def session(self, number: int) -> dict[str, Any]:
        """The catalogue's session: start and end with their UTC offset."""
        if not (self.day and self.starts and self.ends):
            raise FormProblem("academy.form.session_incomplete", number=number)
        try:
            on = date.fromisoformat(self.day)
            starts, ends = time.fromisoformat(self.starts), time.fromisoformat(self.ends)
        except ValueError as e:
            raise FormProblem("academy.form.session_invalid", number=number) from e
        if ends <= starts:
            raise FormProblem("academy.form.session_order", number=number)
        found: dict[str, Any] = {
            "starts_at": datetime.combine(on, starts, TIMEZONE).isoformat(),
            "ends_at": datetime.combine(on, ends, TIMEZONE).isoformat(),
            "location": self.location,
        }
        if self.session_id:  # kept, so that calendars follow a moved session
            found["session_id"] = self.session_id
        return found


@dataclass
class OfferingForm:
    """The publish and edit form, as typed."""

    academy_id: str = ""
    title: str = ""
    kind: str = OfferingKind.COURSE.value
    description: str = ""
    study_hours: str = ""
    capacity: str = ""
    sessions: list[SessionRow] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    goal_tags: str = ""
    attendance_percent: str = "100"
    visibility: str = Visibility.OWN_BOARD.value
    requires_approval: bool = False

    @classmethod
    def posted(cls, form: FormData) -> "OfferingForm":
        rows = min(int(text(form, "rijen")) if text(form, "rijen").isdigit() else 0, 100)
        sessions = [
            SessionRow(*(text(form, f"sessie-{i}-{part}") for part in SESSION_PARTS))
            for i in range(rows)
        ]
        return cls(
            text(form, "academie"), text(form, "titel"), text(form, "soort"),
            text(form, "beschrijving"), text(form, "uren"), text(form, "plaatsen"),
            sessions, listed(form, "functie"), listed(form, "sector"),
            listed(form, "domein"), text(form, "speerpunten"), text(form, "aanwezigheid"),
            text(form, "zichtbaar"), form.get("goedkeuring") == "ja",
        )  # fmt: skip

    @classmethod
    def of(cls, o: dict[str, Any]) -> "OfferingForm":
        """A published offering, to edit."""
        share = float(o["completion"]["min_attendance_share"])
        return cls(
            o["academy_id"], o["title"], o["kind"], o["description"], _figure(o["study_hours"]),
            str(o["capacity"] or ""), [SessionRow.of(s) for s in o["sessions"]],
            list(o["audience"]["roles"]), list(o["audience"]["sectors"]), list(o["domains"]),
            ", ".join(o["goal_tags"]), _figure(round(share * 100, 2)), o["visibility"],
            bool(o["requires_approval"]),
        )  # fmt: skip

    def with_blank_rows(self, count: int = BLANK_SESSION_ROWS) -> "OfferingForm":
        """The filled session rows and `count` blank ones (three rows at least)."""
        filled = [s for s in self.sessions if not s.blank]
        self.sessions = filled + [SessionRow() for _ in range(max(count, 3 - len(filled)))]
        return self

    def with_more_rows(self) -> "OfferingForm":
        blank = sum(1 for s in self.sessions if s.blank)
        return self.with_blank_rows(blank + 3)

    def content(self, t: Translator) -> dict[str, Any]:
        """The fields the catalogue's POST and PATCH share (not the academy, not the kind)."""
        if not self.title:
            raise FormProblem("academy.form.needed", field=t("academy.form.title"))
        hours = number(self.study_hours, t("academy.form.study_hours"))
        if hours is None:
            raise FormProblem("academy.form.needed", field=t("academy.form.study_hours"))
        capacity = number(self.capacity, t("academy.form.capacity"))
        if capacity is not None and capacity != int(capacity):
            raise FormProblem("academy.form.whole_number", field=t("academy.form.capacity"))
        percent = number(self.attendance_percent, t("academy.form.attendance"))
        if percent is None or not 0 < percent <= 100:
            raise FormProblem("academy.form.attendance_range")
        return {
            "title": self.title,
            "description": self.description,
            "study_hours": hours,
            "capacity": int(capacity) if capacity is not None else None,
            "sessions": [s.session(n) for n, s in enumerate(self.sessions, start=1) if not s.blank],
            "audience": {"roles": self.roles, "sectors": self.sectors},
            "domains": self.domains,
            "goal_tags": tags(self.goal_tags),
            "completion": {"min_attendance_share": round(percent / 100, 4)},
            "visibility": self.visibility,
            "requires_approval": self.requires_approval,
        }


def _figure(value: float) -> str:
    return f"{value:g}"
