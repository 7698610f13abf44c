"""Portfolio entries from events: what each event makes, merge, annotations, fold, staff_of."""

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import Event
from contracts.catalogue import AuditCompleted, AuditScheduled, CourseOffered, CourseWithdrawn
from contracts.enrollment import (
    AttendanceRecorded,
    CancelledFrom,
    Completed,
    Enrolled,
    EnrollmentCancelled,
    EnrollmentDeclined,
    EnrollmentRequested,
    InterestRegistered,
    NotCompleted,
    Waitlisted,
)
from contracts.portfolio import (
    EntryAdded,
    EvidenceAdded,
    LeaderNoteAdded,
    LearningKind,
    ReflectionAdded,
)
from contracts.values import (
    AuditorCredit,
    AuditRole,
    AuditTeamMember,
    CompetenceDomain,
    EnrollmentStatus,
    Findings,
)
from services.portfolio.domain.hours import ledger
from services.portfolio.domain.portfolio import (
    STATUS,
    Entry,
    EntrySource,
    Portfolio,
    annotate,
    audit_entry_id,
    entries_from,
    entries_touched,
    merge,
    staff_of,
)
from services.portfolio.domain.portfolio import fold as fold_portfolio
from tests.support.factories import enrolled, offering_details

pytestmark = pytest.mark.unit

AT = datetime(2025, 9, 1, 8, 30, tzinfo=UTC)
ON = date(2025, 11, 20)
SHA = "ab" * 32


def fold(events: list[Event], staff_id: UUID | None = None) -> list[Entry]:
    """The entries the events leave, everyone's or one person's, in order of appearance."""
    folded = fold_portfolio(Portfolio(), events)
    return folded.entries_of(staff_id) if staff_id else list(folded.entries.values())


def about(base: Enrolled) -> dict[str, Any]:
    """The fields that tie an enrollment event to one enrollment."""
    return {
        "enrollment_id": base.enrollment_id,
        "staff_id": base.staff_id,
        "offering": base.offering,
    }


def waitlisted(b: Enrolled) -> Waitlisted:
    return Waitlisted(**about(b), waitlisted_at=AT)


def cancelled(b: Enrolled, reason: str = "") -> EnrollmentCancelled:
    how = CancelledFrom.ENROLLED
    return EnrollmentCancelled(**about(b), cancelled_from=how, reason=reason, cancelled_at=AT)


def completed(b: Enrolled, hours: float = 5.5, reason: str = "") -> Completed:
    return Completed(**about(b), completed_on=ON, hours=hours, reason=reason)


def every_kind(b: Enrolled) -> list[Event]:
    return [
        InterestRegistered(**about(b), registered_at=AT),
        EnrollmentRequested(**about(b), requested_at=AT),
        EnrollmentDeclined(**about(b), declined_by=uuid4(), declined_at=AT),
        b,
        waitlisted(b),
        cancelled(b),
        completed(b),
        NotCompleted(**about(b), recorded_on=ON),
    ]


def reflection(b: Enrolled, text: str = "I now read aloud daily.") -> ReflectionAdded:
    return ReflectionAdded(
        staff_id=b.staff_id, entry_id=b.enrollment_id, reflection_id=uuid4(), text=text
    )


def evidence(b: Enrolled, **fields: Any) -> EvidenceAdded:
    return EvidenceAdded(
        staff_id=b.staff_id, entry_id=b.enrollment_id, evidence_id=uuid4(), **fields
    )


def audit(*team: AuditorCredit) -> AuditCompleted:
    return AuditCompleted(
        audit_id=uuid4(),
        school_id=uuid4(),
        board_id=uuid4(),
        theme="team learning",
        audit_date=ON,
        team=team,
        findings=Findings(strengths=("shared lesson study",)),
    )


def auditor(role: AuditRole, hours: float) -> AuditorCredit:
    return AuditorCredit(staff_id=uuid4(), school_id=uuid4(), role=role, hours=hours)


def test_each_enrollment_event_gives_its_status_and_only_completed_gives_hours() -> None:
    b = enrolled(title="Reading aloud", domains=(CompetenceDomain.PEDAGOGY,), goal_tags=("rd",))
    o = b.offering
    like = Entry(
        entry_id=b.enrollment_id,
        staff_id=b.staff_id,
        source=EntrySource.ENROLLMENT,
        status=EnrollmentStatus.REQUESTED,
        title="Reading aloud",
        kind="course",
        domains=("pedagogy",),
        goal_tags=("rd",),
        academy_name=o.academy_name,
        offering_id=o.offering_id,
        academy_id=o.academy_id,
        detail={"study_hours": 6.0, "first_session_on": "2025-09-10", "credits": None},
    )
    statuses = ["interested", "requested", "declined", "enrolled", "waitlisted", "cancelled"]
    expected = [replace(like, status=EnrollmentStatus(s)) for s in statuses]
    expected += [replace(like, status=EnrollmentStatus.COMPLETED, hours=5.5, completed_on=ON)]
    expected += [replace(like, status=EnrollmentStatus.NOT_COMPLETED)]
    assert [e for event in every_kind(b) for e in entries_from(event)] == expected
    assert set(STATUS.values()) == {e.status for e in expected}


def test_a_reason_lands_in_the_detail() -> None:
    b = enrolled()
    [done] = entries_from(completed(b, reason="recorded by hand: attended elsewhere"))
    [gone] = entries_from(cancelled(b, reason="offering withdrawn"))
    assert done.detail["reason"] == "recorded by hand: attended elsewhere"
    assert gone.detail["reason"] == "offering withdrawn"


def test_an_audit_credits_each_auditor_with_a_completed_entry() -> None:
    lead, member = auditor(AuditRole.LEAD, 8.0), auditor(AuditRole.MEMBER, 6.5)
    event = audit(lead, member)
    made = entries_from(event)
    assert [(e.staff_id, e.hours, e.detail["role"]) for e in made] == [
        (lead.staff_id, 8.0, "lead"),
        (member.staff_id, 6.5, "member"),
    ]
    for e, a in zip(made, (lead, member), strict=True):
        assert e.entry_id == audit_entry_id(event.audit_id, a.staff_id)
        assert (e.status, e.kind, e.source) == ("completed", "peer_audit", "audit")
        assert e.completed_on == ON
        assert e.detail["audited_school_id"] == str(event.school_id)
        assert "team learning" in e.title
    assert [e.entry_id for e in entries_from(event)] == [e.entry_id for e in made]
    assert made[0].entry_id != made[1].entry_id
    assert audit_entry_id(uuid4(), lead.staff_id) != made[0].entry_id


def test_a_staff_added_entry_is_completed_learning() -> None:
    event = EntryAdded(
        staff_id=uuid4(),
        entry_id=uuid4(),
        title="ResearchED conference",
        kind=LearningKind.CONFERENCE,
        provider="researchED",
        hours=7.0,
        completed_on=ON,
        domains=(CompetenceDomain.PEDAGOGY,),
        description="Two days on cognitive load.",
    )
    assert entries_from(event) == [
        Entry(
            entry_id=event.entry_id,
            staff_id=event.staff_id,
            source=EntrySource.STAFF,
            status=EnrollmentStatus.COMPLETED,
            title="ResearchED conference",
            kind="conference",
            hours=7.0,
            completed_on=ON,
            domains=("pedagogy",),
            academy_name="researchED",
            detail={"description": "Two days on cognitive load."},
        )
    ]


def test_events_about_no_entry_make_none() -> None:
    b = enrolled()
    attended = AttendanceRecorded(
        **about(b), session_id=uuid4(), session_starts_at=AT, attended=True, recorded_at=AT
    )
    withdrawn = CourseWithdrawn(offering_id=uuid4(), academy_id=uuid4())
    assert [entries_from(e) for e in (attended, withdrawn, reflection(b))] == [[], [], []]


def test_merge_with_nothing_is_the_new_entry() -> None:
    [new] = entries_from(enrolled())
    assert merge(None, new) is new


def test_a_completed_entry_is_final() -> None:
    b = enrolled()
    [done] = entries_from(completed(b))
    for later in (b, cancelled(b, reason="late")):
        [new] = entries_from(later)
        assert merge(done, new) == done


def test_a_newer_event_describes_the_entry_and_keeps_what_people_added() -> None:
    b = enrolled()
    [old] = entries_from(waitlisted(b))
    old = annotate(annotate(old, evidence(b, link="https://x.nl/a")), reflection(b))
    old = replace(old, detail={**old.detail, "kept": True, "study_hours": 1.0})
    [new] = entries_from(cancelled(b, reason="ill"))
    merged = merge(old, new)
    assert merged.status == "cancelled"
    assert merged.detail == {**new.detail, "kept": True}
    assert merged.detail["study_hours"] == 6.0
    assert (merged.evidence, merged.reflections) == (old.evidence, old.reflections)
    assert len(merged.evidence) == len(merged.reflections) == 1


def test_annotations_are_appended_in_order() -> None:
    b = enrolled()
    [e] = entries_from(b)
    link = evidence(b, link="https://school.nl/lesson", description="lesson plan")
    file = evidence(b, file_name="plan.pdf", media_type="application/pdf", size=9, sha256=SHA)
    first, second = reflection(b, "first"), reflection(b, "second")
    note = LeaderNoteAdded(
        staff_id=b.staff_id, entry_id=b.enrollment_id, note_id=uuid4(), leader_id=uuid4(), text="ok"
    )
    for event in (link, first, file, second, note):
        e = annotate(e, event)
    assert [(x["link"], x["file_name"], x["evidence_id"]) for x in e.evidence] == [
        ("https://school.nl/lesson", None, str(link.evidence_id)),
        (None, "plan.pdf", str(file.evidence_id)),
    ]
    assert (e.evidence[0]["description"], e.evidence[1]["sha256"]) == ("lesson plan", SHA)
    assert (e.evidence[1]["media_type"], e.evidence[1]["size"]) == ("application/pdf", 9)
    assert [r["text"] for r in e.reflections] == ["first", "second"]
    assert e.reflections[0]["reflection_id"] == str(first.reflection_id)
    assert e.notes == (
        {"note_id": str(note.note_id), "leader_id": str(note.leader_id), "text": "ok"},
    )


def a_term(staff_id: UUID) -> tuple[Enrolled, Enrolled, list[Event]]:
    """Waitlisted, then a seat; a reflection, the completion, evidence; another one cancelled."""
    b = enrolled(staff_id=staff_id, title="Reading aloud")
    other = enrolled(staff_id=staff_id, title="Coaching talks")
    link = evidence(b, link="https://school.nl/lesson")
    events: list[Event] = [waitlisted(b), other, b, reflection(b), completed(b, 6.0)]
    return b, other, [*events, link, cancelled(other, reason="clash")]


def test_fold_gives_the_portfolio_the_events_make() -> None:
    b, other, events = a_term(uuid4())
    first, second = fold(events)
    assert (first.entry_id, first.status, first.hours) == (b.enrollment_id, "completed", 6.0)
    assert [r["text"] for r in first.reflections] == ["I now read aloud daily."]
    assert [x["link"] for x in first.evidence] == ["https://school.nl/lesson"]
    assert (second.entry_id, second.status) == (other.enrollment_id, "cancelled")
    assert second.detail["reason"] == "clash"
    assert [(y.school_year, y.hours) for y in ledger([first, second])] == [("2025-2026", 6.0)]


def test_fold_of_a_prefix_is_the_portfolio_as_it_stood() -> None:
    b, other, events = a_term(uuid4())
    before = fold(events[:4])
    assert [(e.entry_id, e.status) for e in before] == [
        (b.enrollment_id, "enrolled"),
        (other.enrollment_id, "enrolled"),
    ]
    assert len(before[0].reflections) == 1
    assert sum(y.hours for y in ledger(before)) == 0
    assert [y.hours for y in ledger(fold(events[:5]))] == [6.0]


def test_fold_ignores_an_annotation_for_an_unknown_entry() -> None:
    b, _, events = a_term(uuid4())
    stranger = enrolled(staff_id=b.staff_id)
    early = reflection(b)
    assert fold([*events, reflection(stranger)]) == fold(events)
    assert fold([early, *events])[0].reflections == fold(events)[0].reflections


def test_fold_of_duplicated_lifecycle_events_is_fold_of_them_once() -> None:
    _, _, events = a_term(uuid4())
    lifecycle = [e for e in events if not isinstance(e, ReflectionAdded | EvidenceAdded)]
    assert fold([e for e in lifecycle for _ in range(2)]) == fold(lifecycle)
    assert fold(lifecycle + lifecycle) == fold(lifecycle)


def test_fold_of_duplicated_events_is_fold_of_them_once() -> None:
    _, _, events = a_term(uuid4())
    assert fold([e for e in events for _ in range(2)]) == fold(events)


def test_staff_of_names_whose_portfolio_an_event_touches() -> None:
    b = enrolled()
    lead, member = auditor(AuditRole.LEAD, 8.0), auditor(AuditRole.MEMBER, 6.0)
    scheduled = AuditScheduled(
        audit_id=uuid4(),
        school_id=uuid4(),
        board_id=uuid4(),
        theme="team learning",
        audit_date=ON,
        team=(AuditTeamMember(staff_id=lead.staff_id, school_id=lead.school_id),),
    )
    for event in (*every_kind(b), reflection(b), evidence(b, link="https://x.nl")):
        assert staff_of(event) == [b.staff_id]
    assert staff_of(audit(lead, member)) == [lead.staff_id, member.staff_id]
    offered = CourseOffered(offering=offering_details())
    withdrawn = CourseWithdrawn(offering_id=uuid4(), academy_id=uuid4())
    assert [staff_of(e) for e in (offered, withdrawn, scheduled)] == [[], [], []]


def test_fold_for_one_person_leaves_out_the_other_auditors() -> None:
    mine, theirs = uuid4(), uuid4()
    audit = AuditCompleted(
        audit_id=uuid4(),
        school_id=uuid4(),
        board_id=uuid4(),
        theme="reading",
        audit_date=date(2026, 3, 3),
        findings=Findings(),
        team=(
            AuditorCredit(staff_id=mine, school_id=uuid4(), role=AuditRole.LEAD, hours=8),
            AuditorCredit(staff_id=theirs, school_id=uuid4(), role=AuditRole.MEMBER, hours=6),
        ),
    )
    assert [e.staff_id for e in fold([audit], mine)] == [mine]
    assert {e.staff_id for e in fold([audit])} == {mine, theirs}


def test_attendance_is_noted_on_the_entry_and_a_correction_replaces_it() -> None:
    seat = enrolled()
    session = uuid4()
    marks = [
        AttendanceRecorded(
            enrollment_id=seat.enrollment_id,
            staff_id=seat.staff_id,
            offering=seat.offering,
            session_id=session,
            session_starts_at=datetime(2026, 9, 1, 9, tzinfo=UTC),
            attended=attended,
            recorded_at=datetime(2026, 9, 1, 12, tzinfo=UTC),
        )
        for attended in (False, True)
    ]
    [entry] = fold([seat, marks[0]])
    assert entry.detail["attendance"] == {str(session): False}
    [entry] = fold([seat, *marks])
    assert entry.detail["attendance"] == {str(session): True}
    assert entry.status == "enrolled"


def test_the_entries_loaded_before_a_fold_include_every_entry_an_event_makes() -> None:
    """entries_touched reads ids from the events without making the entries: it must name
    every entry that entries_from makes, for every kind of event that makes one."""
    b = enrolled()
    added = EntryAdded(
        staff_id=b.staff_id,
        entry_id=uuid4(),
        title="Congress",
        kind=LearningKind.CONFERENCE,
        hours=4,
        completed_on=ON,
    )
    team = audit(auditor(AuditRole.LEAD, 8), auditor(AuditRole.MEMBER, 6))
    for event in [*every_kind(b), added, team]:
        made = {e.entry_id for e in entries_from(event)}
        assert made and made <= entries_touched([event]), type(event).__name__
