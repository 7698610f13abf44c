"""Test objects: offerings as the contracts describe them, and the events that carry them.

Every factory fills its fields with plausible values and fresh ids, optional ones too, so
that a test comparing a copy with its original compares every field; any field can be
overridden by keyword. The defaults are arbitrary: a test that depends on a value (a title,
the hours, the domains) passes it at the call site.
"""

from datetime import UTC, date, datetime, timedelta
from typing import TypedDict, Unpack
from uuid import UUID, uuid4

from contracts import Envelope, Event
from contracts.enrollment import Completed, Enrolled, EnrolledVia
from contracts.values import (
    Audience,
    CompetenceDomain,
    CompletionCriteria,
    OfferingDetails,
    OfferingKind,
    OfferingSnapshot,
    Session,
    Visibility,
)

ENROLLMENT_SOURCE = "/huisacademie/enrollment"
FIRST_SESSION = datetime(2025, 9, 10, 14, 0, tzinfo=UTC)


class SnapshotFields(TypedDict, total=False):
    """The fields of OfferingSnapshot, each optional, for overriding the defaults."""

    offering_id: UUID
    title: str
    academy_id: UUID
    academy_name: str
    kind: OfferingKind
    study_hours: float
    domains: tuple[CompetenceDomain, ...]
    goal_tags: tuple[str, ...]
    first_session_on: date | None


class DetailsFields(TypedDict, total=False):
    """The fields of OfferingDetails, each optional, for overriding the defaults."""

    offering_id: UUID
    academy_id: UUID
    academy_name: str
    board_id: UUID
    title: str
    description: str
    kind: OfferingKind
    sessions: tuple[Session, ...]
    capacity: int | None
    study_hours: float
    domains: tuple[CompetenceDomain, ...]
    goal_tags: tuple[str, ...]
    visibility: Visibility
    enrolment_opens: datetime | None
    enrolment_closes: datetime | None
    audience: Audience
    completion: CompletionCriteria
    requires_approval: bool
    version: int


def session(starts_at: datetime, length: timedelta = timedelta(hours=2)) -> Session:
    """A session starting at starts_at; a zero or negative length makes an invalid one."""
    return Session(session_id=uuid4(), starts_at=starts_at, ends_at=starts_at + length)


def snapshot(**overrides: Unpack[SnapshotFields]) -> OfferingSnapshot:
    """An offering as enrollment events carry it; matches offering_details() but for the ids."""
    fields: SnapshotFields = {
        "offering_id": uuid4(),
        "title": "Reading didactics in groups 3-4",
        "academy_id": uuid4(),
        "academy_name": "Academie De Linde",
        "kind": OfferingKind.COURSE,
        "study_hours": 6.0,
        "domains": (CompetenceDomain.SUBJECT_DIDACTICS,),
        "goal_tags": ("reading",),
        "first_session_on": FIRST_SESSION.date(),
        **overrides,
    }
    return OfferingSnapshot(**fields)


def offering_details(**overrides: Unpack[DetailsFields]) -> OfferingDetails:
    """An offering as an academy publishes it: two sessions, a fortnight apart, 16 seats."""
    fields: DetailsFields = {
        "offering_id": uuid4(),
        "academy_id": uuid4(),
        "academy_name": "Academie De Linde",
        "board_id": uuid4(),
        "title": "Reading didactics in groups 3-4",
        "kind": OfferingKind.COURSE,
        "sessions": (session(FIRST_SESSION), session(FIRST_SESSION + timedelta(days=14))),
        "capacity": 16,
        "study_hours": 6.0,
        "domains": (CompetenceDomain.SUBJECT_DIDACTICS,),
        "goal_tags": ("reading",),
        **overrides,
    }
    return OfferingDetails(**fields)


def enrolled(
    *,
    staff_id: UUID | None = None,
    via: EnrolledVia = EnrolledVia.DIRECT,
    enrolled_at: datetime = datetime(2025, 9, 1, 8, 30, tzinfo=UTC),
    **snapshot_overrides: Unpack[SnapshotFields],
) -> Enrolled:
    """An Enrolled event for a new enrollment in an offering made by snapshot()."""
    return Enrolled(
        enrollment_id=uuid4(),
        staff_id=staff_id or uuid4(),
        offering=snapshot(**snapshot_overrides),
        via=via,
        enrolled_at=enrolled_at,
    )


def completion(
    staff_id: UUID,
    *,
    hours: float = 4.0,
    on: date = date(2026, 3, 1),
    source: str = ENROLLMENT_SOURCE,
    **snapshot_overrides: Unpack[SnapshotFields],
) -> Envelope[Event]:
    """A Completed event in its envelope, crediting hours on the given date.

    The offering's study hours are the credited hours unless overridden.
    """
    offering: SnapshotFields = {"study_hours": hours, **snapshot_overrides}
    event = Completed(
        enrollment_id=uuid4(),
        staff_id=staff_id,
        offering=snapshot(**offering),
        completed_on=on,
        hours=hours,
    )
    return Envelope[Event].new(event, source)
