"""Portfolio: what the fold keeps of each event, field by field: audit work and learning
added by staff, an enrollment's offering without dates or with credits, what people add to
an entry, attendance per session, and follow-ups by their id."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from contracts.catalogue import AuditCompleted
from contracts.enrollment import AttendanceRecorded, Completed, Enrolled
from contracts.portfolio import (
    EntryAdded,
    EvidenceAdded,
    FollowUpRecorded,
    LeaderNoteAdded,
    LearningKind,
)
from contracts.values import (
    AuditorCredit,
    AuditRole,
    CompetenceDomain,
    Credits,
    EnrollmentStatus,
    Findings,
)
from services.portfolio.domain.audit_history import FollowUp
from services.portfolio.domain.portfolio import (
    Portfolio,
    audit_entry_id,
    entries_from,
    fold,
)
from tests.support.factories import enrolled, snapshot

pytestmark = pytest.mark.unit

STAFF = uuid4()
AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_audit_work_is_credited_to_two_decimals_with_the_audit_it_was_for() -> None:
    audit_id, school, auditor_school = uuid4(), uuid4(), uuid4()
    event = AuditCompleted(
        audit_id=audit_id,
        school_id=school,
        board_id=uuid4(),
        theme="feedback",
        audit_date=date(2026, 3, 12),
        team=(AuditorCredit(staff_id=STAFF, school_id=auditor_school, role=AuditRole.LEAD,
                            hours=6.114),),
        findings=Findings(),
    )  # fmt: skip
    [entry] = entries_from(event)
    assert (entry.entry_id, entry.hours, entry.completed_on) == (
        audit_entry_id(audit_id, STAFF),
        6.11,
        date(2026, 3, 12),
    )
    assert entry.detail == {
        "audit_id": str(audit_id),
        "audited_school_id": str(school),
        "role": "lead",
    }


def test_learning_added_by_staff_keeps_its_goal_tags_and_hours_to_two_decimals() -> None:
    event = EntryAdded(
        staff_id=STAFF,
        entry_id=uuid4(),
        title="ResearchED Amsterdam",
        kind=LearningKind.CONFERENCE,
        provider="researchED",
        hours=5.126,
        completed_on=date(2026, 10, 3),
        domains=(CompetenceDomain.PEDAGOGY,),
        goal_tags=("feedback", "reading"),
    )
    [entry] = entries_from(event)
    assert (entry.hours, entry.goal_tags, entry.domains) == (
        5.13,
        ("feedback", "reading"),
        ("pedagogy",),
    )


def test_a_completion_is_credited_to_two_decimals() -> None:
    event = Completed(
        enrollment_id=uuid4(),
        staff_id=STAFF,
        offering=snapshot(),
        completed_on=date(2026, 3, 1),
        hours=4.114,
    )
    [entry] = entries_from(event)
    assert entry.hours == 4.11


def test_an_offering_without_dates_or_with_credits_is_described_as_it_is() -> None:
    no_dates = enrolled(staff_id=STAFF, first_session_on=None, study_hours=6.0)
    [entry] = entries_from(no_dates)
    assert entry.detail == {"study_hours": 6.0, "first_session_on": None, "credits": None}
    with_credits = snapshot(first_session_on=date(2026, 9, 10), study_hours=28.0).model_copy(
        update={"credits": Credits(sbu=28.0, ects=1.0)}
    )
    [entry] = entries_from(no_dates.model_copy(update={"offering": with_credits}))
    assert entry.detail == {
        "study_hours": 28.0,
        "first_session_on": "2026-09-10",
        "credits": {"sbu": 28.0, "ects": 1.0},
    }


def test_what_people_added_stays_when_the_enrollment_completes() -> None:
    seat = enrolled(staff_id=STAFF)
    note = LeaderNoteAdded(
        staff_id=STAFF, entry_id=seat.enrollment_id, note_id=uuid4(), leader_id=uuid4(), text="ok"
    )
    done = Completed(
        enrollment_id=seat.enrollment_id,
        staff_id=STAFF,
        offering=seat.offering,
        completed_on=date(2026, 3, 1),
        hours=4.0,
    )
    entry = fold(Portfolio(), [seat, note, note, done]).entries[seat.enrollment_id]
    assert entry.status is EnrollmentStatus.COMPLETED
    assert entry.notes == (
        {"note_id": str(note.note_id), "leader_id": str(note.leader_id), "text": "ok"},
    )


def test_evidence_is_kept_without_whose_and_which_entry_it_is() -> None:
    seat = enrolled(staff_id=STAFF)
    evidence = EvidenceAdded(
        staff_id=STAFF,
        entry_id=seat.enrollment_id,
        evidence_id=uuid4(),
        link="https://example.org/lesson-plan",
        description="lesson plan",
    )
    entry = fold(Portfolio(), [seat, evidence]).entries[seat.enrollment_id]
    assert entry.evidence == (
        {
            "evidence_id": str(evidence.evidence_id),
            "link": "https://example.org/lesson-plan",
            "file_name": None,
            "media_type": None,
            "size": None,
            "sha256": None,
            "description": "lesson plan",
        },
    )


def attendance(seat: Enrolled, attended: bool) -> AttendanceRecorded:
    return AttendanceRecorded(
        enrollment_id=seat.enrollment_id,
        staff_id=STAFF,
        offering=seat.offering,
        session_id=uuid4(),
        session_starts_at=AT,
        attended=attended,
        recorded_at=AT,
    )


def test_attendance_is_kept_per_session() -> None:
    seat = enrolled(staff_id=STAFF)
    first, second = attendance(seat, True), attendance(seat, False)
    entry = fold(Portfolio(), [seat, first, second]).entries[seat.enrollment_id]
    assert entry.detail["attendance"] == {
        str(first.session_id): True,
        str(second.session_id): False,
    }


def test_follow_ups_are_kept_by_their_id() -> None:
    event = FollowUpRecorded(
        school_id=uuid4(),
        audit_id=uuid4(),
        follow_up_id=uuid4(),
        point_index=1,
        point="feedback",
        action="peer visits every month",
        closed=True,
        recorded_by=uuid4(),
        recorded_at=AT,
    )
    assert fold(Portfolio(), [event]).follow_ups == {
        event.follow_up_id: FollowUp(
            event.follow_up_id, event.audit_id, 1, "peer visits every month", True,
            event.recorded_by, AT,
        )
    }  # fmt: skip
