"""The catalogue's commands, one test case run at two depths: against the fake unit of
work (tests/unit) and against PostgreSQL (tests/integration). A subclass gives the
commands and what they committed."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import Event
from contracts.catalogue import (
    AuditCompleted,
    AuditRescheduled,
    AuditScheduled,
    CourseOffered,
    CourseUpdated,
    CourseWithdrawn,
    ProgrammeOffered,
)
from contracts.values import AuditRole, AuditTeamMember, Findings
from services.catalogue.commands import CatalogueCommands
from services.shared.errors import CommandRejected, Conflict, NotFound

START = datetime(2026, 9, 10, 14, 0, tzinfo=UTC)


def course(**fields: Any) -> dict[str, Any]:
    sessions = [{"starts_at": START, "ends_at": START + timedelta(hours=2)}]
    return {
        "title": "Reading",
        "kind": "course",
        "study_hours": 6.0,
        "sessions": sessions,
        **fields,
    }


class CatalogueCommandsContract:
    """Every test gets fresh commands (`commands`) and reads back, with `committed()`, the
    events committed since the test began, in order."""

    commands: CatalogueCommands

    async def committed(self) -> list[Event]:
        raise NotImplementedError

    async def academy(self) -> UUID:
        made = await self.commands.create_academy("Academie De Linde", uuid4())
        return made.academy_id

    async def test_publishing_gives_sessions_ids_and_emits_course_offered(self) -> None:
        academy = await self.academy()
        view = await self.commands.publish_offering(academy, course())
        details = view.offering.details
        assert details.academy_id == academy and details.version == 1
        assert len(details.sessions) == 1 and details.sessions[0].session_id is not None
        assert await self.committed() == [CourseOffered(offering=details)]

    async def test_an_update_names_what_changed_and_nothing_changed_emits_nothing(self) -> None:
        academy = await self.academy()
        offering = (await self.commands.publish_offering(academy, course())).offering.details
        same = await self.commands.update_offering(offering.offering_id, {"title": "Reading"})
        moved = await self.commands.update_offering(
            offering.offering_id, {"title": "Reading aloud", "capacity": 12}
        )
        assert same.offering.details.version == 1
        assert moved.offering.details.version == 2
        [_, updated] = await self.committed()
        assert isinstance(updated, CourseUpdated)
        assert updated.changed == ("capacity", "title")
        assert updated.offering == moved.offering.details

    async def test_a_withdrawn_offering_cannot_be_withdrawn_or_changed_again(self) -> None:
        academy = await self.academy()
        offering = (await self.commands.publish_offering(academy, course())).offering.details
        await self.commands.withdraw_offering(offering.offering_id, "too few sign-ups")
        with pytest.raises(Conflict):
            await self.commands.withdraw_offering(offering.offering_id, "again")
        with pytest.raises(Conflict):
            await self.commands.update_offering(offering.offering_id, {"title": "Back"})
        events = await self.committed()
        assert [type(e) for e in events] == [CourseOffered, CourseWithdrawn]
        withdrawn = events[1]
        assert isinstance(withdrawn, CourseWithdrawn) and withdrawn.reason == "too few sign-ups"

    async def test_what_a_command_names_must_exist_and_a_refusal_emits_nothing(self) -> None:
        with pytest.raises(NotFound, match="no academy"):
            await self.commands.publish_offering(uuid4(), course())
        with pytest.raises(NotFound, match="no offering"):
            await self.commands.update_offering(uuid4(), {"title": "x"})
        with pytest.raises(NotFound, match="no audit"):
            await self.commands.cancel_audit(uuid4(), "")
        academy = await self.academy()
        with pytest.raises(CommandRejected, match="ends_at must be after starts_at"):
            sessions = [{"starts_at": START, "ends_at": START}]
            await self.commands.publish_offering(academy, course(sessions=sessions))
        assert await self.committed() == []

    async def test_a_programme_holds_only_the_academys_own_offerings(self) -> None:
        academy, other = await self.academy(), await self.academy()
        own = [
            (await self.commands.publish_offering(academy, course())).offering.details
            for _ in range(2)
        ]
        foreign = (await self.commands.publish_offering(other, course())).offering.details
        path = (own[1].offering_id, own[0].offering_id)
        with pytest.raises(CommandRejected, match="not published by academy"):
            await self.commands.offer_programme(academy, "Mixed", (*path, foreign.offering_id))
        made = await self.commands.offer_programme(academy, "Beginning teachers", path)
        offered = (await self.committed())[-1]
        assert offered == ProgrammeOffered(
            programme_id=made.programme_id,
            academy_id=academy,
            title="Beginning teachers",
            offering_ids=path,
        )

    async def test_an_audit_is_scheduled_moved_and_completed_with_credits(self) -> None:
        school, lead = uuid4(), uuid4()
        team = (AuditTeamMember(staff_id=lead, school_id=uuid4(), role=AuditRole.LEAD),)
        audit = await self.commands.schedule_audit(
            school, uuid4(), "reading", date(2026, 3, 12), team
        )
        await self.commands.reschedule_audit(audit.audit_id, date(2026, 4, 2), "exam week")
        findings = Findings(strengths=("calm classes",), improvements=("feedback",))
        done = await self.commands.complete_audit(audit.audit_id, findings, 6.0)
        with pytest.raises(Conflict):
            await self.commands.cancel_audit(audit.audit_id, "too late")
        scheduled, moved, completed = await self.committed()
        assert isinstance(scheduled, AuditScheduled) and scheduled.school_id == school
        assert isinstance(moved, AuditRescheduled) and moved.audit_date == date(2026, 4, 2)
        assert isinstance(completed, AuditCompleted) and completed.findings == findings
        assert [(c.staff_id, c.hours) for c in completed.team] == [(lead, 6.0)]
        assert done.audit_date == date(2026, 4, 2)
