"""Which events a subscription asks for, and how they are written for it."""

from enum import StrEnum

from contracts.catalogue import AuditCompleted
from contracts.enrollment import (
    AttendanceRecorded,
    Completed,
    Enrolled,
    NotCompleted,
    ProgrammeCompleted,
)
from contracts.privacy import PersonErased
from contracts.registry import EVENT_TYPES, READ_AS

MAX_TYPES = 100
MAX_SCHOOLS = 50


class Format(StrEnum):
    WEBHOOK = "webhook"
    """Each event POSTed as a CloudEvents JSON document, signed (Standard Webhooks)."""
    XAPI = "xapi"
    """Learning as xAPI statements, to a learning record store."""


AS_STATEMENTS = frozenset(
    model.ce_type
    for model in (
        Enrolled,
        AttendanceRecorded,
        Completed,
        NotCompleted,
        ProgrammeCompleted,
        AuditCompleted,
    )
)
"""The events a learning record store is sent statements for."""
ALWAYS = frozenset({PersonErased.ce_type})
"""Every subscription gets these: whoever got a person's events must learn of their erasure
(a learning record store: their statements voided)."""


class UnknownTypes(ValueError):
    pass


def types_asked(format: Format, asked: list[str]) -> frozenset[str]:
    """The current event types a subscription asked for (an earlier version names its
    current one), with those every subscription gets; unknown names are refused, and for a
    learning record store so are events no statement is made of. None asked: all there are."""
    offered = AS_STATEMENTS if format is Format.XAPI else frozenset(EVENT_TYPES)
    if not asked:
        return offered | ALWAYS
    unknown = [t for t in asked if t not in READ_AS]
    if unknown:
        raise UnknownTypes(f"unknown event types: {', '.join(unknown[:5])}")
    current = {READ_AS[t].ce_type for t in asked}
    if not_statements := sorted(current - offered - ALWAYS):
        raise UnknownTypes(
            f"no xAPI statement is made of {', '.join(not_statements[:5])}; a learning record"
            f" store can be sent: {', '.join(sorted(AS_STATEMENTS))}"
        )
    return frozenset(current) | ALWAYS
