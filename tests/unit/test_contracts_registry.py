"""Contracts: event type names, record keys, immutability and error status codes."""

import re
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

import contracts
from contracts import topics
from contracts.catalogue import AuditCancelled, CourseOffered
from contracts.enrollment import Completed, EnrollmentCancelled, Waitlisted
from contracts.event import Event
from contracts.registry import EVENT_TYPES, UnknownEventType, event_type_for, events_on
from services.shared.errors import CommandRejected, Conflict, NotFound
from services.shared.http import status_code
from tests.support.factories import offering_details, snapshot

pytestmark = pytest.mark.unit

CE_TYPE = re.compile(
    r"^nl\.huisacademie\.(catalogue|enrollment|portfolio|privacy)\.[a-z_]+\.v[1-9][0-9]*$"
)


def concrete_events() -> list[type[Event]]:
    found: list[type[Event]] = []
    pending = list(Event.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        # Subclasses defined by tests (tests.support.probe) are not part of the contract.
        if "ce_type" in vars(cls) and cls.__module__.startswith("contracts."):
            found.append(cls)
    return found


def test_every_event_type_is_registered_under_its_own_versioned_name() -> None:
    events = concrete_events()
    assert len(events) == 30
    assert set(EVENT_TYPES.values()) == set(events)
    assert len({e.ce_type for e in events}) == len(events)
    for model in events:
        match = CE_TYPE.match(model.ce_type)
        assert match, model.ce_type
        assert model.__module__ == f"contracts.{match.group(1)}"
        assert event_type_for(model.ce_type) is model


def test_an_unknown_type_is_a_lookup_error() -> None:
    with pytest.raises(UnknownEventType, match=re.escape("nl.huisacademie.x.y.v1")):
        event_type_for("nl.huisacademie.x.y.v1")


def test_each_topic_carries_the_events_of_one_stream() -> None:
    assert {m.__name__ for m in events_on(topics.AUDITS)} == {
        "AuditScheduled",
        "AuditRescheduled",
        "AuditCompleted",
        "AuditCancelled",
    }
    assert len(events_on(topics.OFFERINGS)) == 3
    assert [m.__name__ for m in events_on(topics.PROGRAMMES)] == ["ProgrammeOffered"]
    assert len(events_on(topics.ENROLLMENTS)) == 12


def test_enrollment_events_are_keyed_by_staff_member() -> None:
    staff_id, now = uuid4(), datetime(2025, 9, 1, tzinfo=UTC)
    common = {"enrollment_id": uuid4(), "staff_id": staff_id, "offering": snapshot()}
    events: list[Event] = [
        Waitlisted(**common, waitlisted_at=now),
        EnrollmentCancelled(**common, cancelled_from="waitlisted", cancelled_at=now),
        Completed(**common, completed_on=date(2025, 9, 1), hours=3.0),
    ]
    assert {e.key() for e in events} == {str(staff_id)}
    assert {e.subject() for e in events} == {str(staff_id)}


def test_offering_and_audit_events_are_keyed_by_offering_and_audited_school() -> None:
    offering_id, school_id = uuid4(), uuid4()
    details = offering_details(offering_id=offering_id)
    assert CourseOffered(offering=details).key() == str(offering_id)
    assert AuditCancelled(audit_id=uuid4(), school_id=school_id).key() == str(school_id)


def test_events_are_frozen_and_read_tolerantly() -> None:
    event = AuditCancelled(audit_id=uuid4(), school_id=uuid4(), reason="storm")
    with pytest.raises(ValidationError, match="frozen"):
        event.reason = "changed"  # type: ignore[misc]
    assert event.reason == "storm"
    # A field added later within v1 is ignored by a consumer that does not know it yet.
    newer = event.model_dump_json()[:-1] + ', "colour": "red"}'
    assert AuditCancelled.model_validate_json(newer) == event


@pytest.mark.parametrize(
    ("error", "status"), [(CommandRejected, 422), (NotFound, 404), (Conflict, 409)]
)
def test_errors_map_to_http_status_codes(error: type[CommandRejected], status: int) -> None:
    raised = error("why")
    assert (status_code(raised), raised.message, str(raised)) == (status, "why", "why")
    assert isinstance(raised, CommandRejected)


def test_every_event_is_importable_from_the_contracts_package() -> None:
    """The package re-exports each event its modules list in EVENTS, and nothing else."""
    exported = {name for name in contracts.__all__ if isinstance(getattr(contracts, name), type)}
    events = {m.__name__ for m in EVENT_TYPES.values()}
    assert events == exported - {"Envelope", "EnvelopeError", "Event", "UnknownEventType"}
