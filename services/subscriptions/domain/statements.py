"""Learning as xAPI statements (1.0.3) for a learning record store: enrolments, attendance,
completions (the study hours as the result's duration), not-completions, programmes and
audit work, with verbs from the ADL vocabulary. Each statement's id is derived from its
event's id (UUID v5), so a redelivered event makes the same statement and the LRS keeps
one; an erasure voids every statement made about the person."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from contracts import Event
from contracts.catalogue import AuditCompleted
from contracts.enrollment import (
    AttendanceRecorded,
    Completed,
    Enrolled,
    NotCompleted,
    ProgrammeCompleted,
)
from contracts.values import OfferingSnapshot

VERSION = "1.0.3"
NAMESPACE = UUID("6f1c8a52-31f4-5b0e-9a43-7d1f3c2e8b10")
"""Of every statement id huisacademie makes (UUID v5)."""
ADL = "http://adlnet.gov/expapi/verbs/"
ACTIVITY_TYPES = "http://adlnet.gov/expapi/activities/"
Statement = dict[str, Any]


@dataclass(frozen=True)
class Account:
    """Who a statement is about: an account on the board's identity provider (its issuer
    and the person's subject there), never an e-mail address."""

    home_page: str
    name: str

    def agent(self) -> Statement:
        return {"objectType": "Agent", "account": {"homePage": self.home_page, "name": self.name}}


Accounts = Callable[[UUID], Account]


def statement_id(event_id: UUID, staff_id: UUID) -> UUID:
    """The statement an event makes about one person: the same for every redelivery."""
    return uuid5(NAMESPACE, f"{event_id}/{staff_id}")


def about(event: Event) -> tuple[UUID, ...]:
    """The people an event makes statements about (whose erasure voids them)."""
    match event:
        case Enrolled() | Completed() | NotCompleted() | ProgrammeCompleted():
            return (event.staff_id,)
        case AttendanceRecorded():
            return (event.staff_id,) if event.attended else ()
        case AuditCompleted():
            return tuple(credit.staff_id for credit in event.team)
    return ()


def statements(
    event_id: UUID, time: datetime, event: Event, accounts: Accounts, base: str
) -> list[Statement]:
    """The statements an event makes, one per person it is about."""
    made = _Made(event_id, time, accounts, base.rstrip("/") + "/xapi/activities")
    match event:
        case Enrolled():
            return [made.about(event.staff_id, "registered", made.offering(event.offering),
                               registration=event.enrollment_id)]  # fmt: skip
        case AttendanceRecorded() if event.attended:
            session = made.activity(
                f"offerings/{event.offering.offering_id}/sessions/{event.session_id}",
                "meeting", f"{event.offering.title}, {event.session_starts_at:%Y-%m-%d %H:%M}",
            )  # fmt: skip
            return [made.about(event.staff_id, "attended", session,
                               registration=event.enrollment_id,
                               parent=made.offering(event.offering))]  # fmt: skip
        case Completed():
            result = {"completion": True, "success": True, "duration": duration(event.hours)}
            return [made.about(event.staff_id, "completed", made.offering(event.offering),
                               registration=event.enrollment_id, result=result)]  # fmt: skip
        case NotCompleted():
            result = {"completion": False, "success": False}
            return [made.about(event.staff_id, "failed", made.offering(event.offering),
                               registration=event.enrollment_id, result=result)]  # fmt: skip
        case ProgrammeCompleted():
            programme = made.activity(f"programmes/{event.programme_id}", "course", event.title)
            return [made.about(event.staff_id, "completed", programme, result={"completion": True})]
        case AuditCompleted():
            audit = made.activity(f"audits/{event.audit_id}", "assessment", event.theme)
            return [
                made.about(credit.staff_id, "completed", audit,
                           result={"completion": True, "duration": duration(credit.hours)})
                for credit in event.team
            ]  # fmt: skip
    return []


def voiding(event_id: UUID, time: datetime, voided: Iterable[UUID], base: str) -> list[Statement]:
    """Statements voiding the given ones (an erasure's), made by huisacademie itself."""
    by = Account(base.rstrip("/"), "huisacademie").agent()
    return [
        {
            "id": str(uuid5(NAMESPACE, f"{event_id}/voids/{statement}")),
            "actor": by,
            "verb": {"id": ADL + "voided", "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": str(statement)},
            "timestamp": time.isoformat(),
        }
        for statement in voided
    ]


def duration(hours: float) -> str:
    """Study hours as an ISO 8601 duration, to the minute: 6.5 → PT6H30M."""
    minutes = round(hours * 60)
    return f"PT{minutes // 60}H{minutes % 60}M"


@dataclass(frozen=True)
class _Made:
    event_id: UUID
    time: datetime
    accounts: Accounts
    activities: str

    def activity(self, path: str, kind: str, name: str) -> Statement:
        return {
            "objectType": "Activity",
            "id": f"{self.activities}/{path}",
            "definition": {"type": ACTIVITY_TYPES + kind, "name": {"nl-NL": name}},
        }

    def offering(self, offering: OfferingSnapshot) -> Statement:
        return self.activity(f"offerings/{offering.offering_id}", "course", offering.title)

    def about(
        self,
        staff_id: UUID,
        verb: str,
        activity: Statement,
        *,
        registration: UUID | None = None,
        parent: Statement | None = None,
        result: Mapping[str, object] | None = None,
    ) -> Statement:
        context: Statement = {"platform": "huisacademie", "language": "nl-NL"}
        if registration is not None:
            context["registration"] = str(registration)
        if parent is not None:
            context["contextActivities"] = {
                "parent": [{"id": parent["id"], "objectType": "Activity"}]
            }
        statement: Statement = {
            "id": str(statement_id(self.event_id, staff_id)),
            "actor": self.accounts(staff_id).agent(),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": activity,
            "context": context,
            "timestamp": self.time.isoformat(),
        }
        if result is not None:
            statement["result"] = dict(result)
        return statement
