"""The portfolio's read use cases: a staff member's dossier (now, or replayed from the
journal as it stood on a date), plans with their progress, a school's overview and audit
history, a board's audit cycle, and evidence files; each read on a connection of its own."""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from uuid import UUID

from contracts.portfolio import PlanGoal
from services.portfolio.domain.audit_history import SchoolCycle, cycle, points
from services.portfolio.domain.hours import (
    FourYears,
    YearLedger,
    four_years,
    ledger,
    school_year,
    yearly_target,
)
from services.portfolio.domain.overviews import (
    GoalProgress,
    SchoolOverview,
    progress,
    school_overview,
)
from services.portfolio.domain.portfolio import Entry, Portfolio, fold
from services.portfolio.domain.profiles import Profile
from services.portfolio.store import Store
from services.shared.clock import dutch_today, end_of_dutch_day
from services.shared.errors import found
from services.shared.unit_of_work import Database


@dataclass(frozen=True)
class Dossier:
    """A staff member's competence dossier, now or as it stood at the end of `as_of`."""

    staff_id: UUID
    entries: list[Entry]
    years: list[YearLedger]
    """Newest first."""
    target: float | None
    """The yearly target for the person's profile, when it is known."""
    four_years: FourYears
    as_of: date | None
    profile: Profile | None = None
    """The person's staff profile (role, sector, size of the job), when it is known."""


@dataclass(frozen=True)
class PersonalRecords:
    """Everything the portfolio holds about one person (their data export)."""

    entries: list[Entry]
    profile: Profile | None
    plans: dict[str, Any]
    audit_roles: list[dict[str, Any]]
    follow_ups_recorded: list[dict[str, Any]]
    files: list[dict[str, Any]]
    """Each evidence file's id, name, media type and size: the content is read apart."""


@dataclass(frozen=True)
class EvidenceFile:
    staff_id: UUID
    """Whose it is: only they and their school leader may have it."""
    name: str
    media_type: str
    content: bytes


class PortfolioQueries:
    def __init__(self, database: Database[Store]) -> None:
        self._database = database

    async def dossier(self, staff_id: UUID, as_of: date | None = None) -> Dossier:
        """A staff member with no recorded activity has an empty dossier."""
        async with self._database.reading() as store:
            entries = await _entries(store, staff_id, as_of)
            profile = await store.profile_of(staff_id)
            targets = await store.board_targets(profile.board_id) if profile else {}
        years = ledger(entries)
        four = four_years(entries, as_of or dutch_today())
        target = yearly_target(profile, targets)
        return Dossier(staff_id, entries, years, target, four, as_of, profile)

    async def board_targets(self, board_id: UUID) -> dict[str, float]:
        """The yearly targets per role the board set (roles left out follow the defaults)."""
        async with self._database.reading() as store:
            return await store.board_targets(board_id)

    async def profile(self, staff_id: UUID) -> Profile | None:
        async with self._database.reading() as store:
            return await store.profile_of(staff_id)

    async def evidence_file(self, evidence_id: UUID) -> EvidenceFile:
        async with self._database.reading() as store:
            stored = found(await store.get_file(evidence_id), f"no evidence file {evidence_id}")
        return EvidenceFile(*stored)

    async def personal_records(self, staff_id: UUID) -> PersonalRecords:
        async with self._database.reading() as store:
            return PersonalRecords(
                await store.entries_of(staff_id),
                await store.profile_of(staff_id),
                await store.plans_of(staff_id),
                await store.audit_roles_of(staff_id),
                await store.follow_ups_by(staff_id),
                await store.files_of(staff_id),
            )

    async def last_board_of(self, staff_id: UUID) -> UUID | None:
        """The board the portfolio last knew the person at: their profile's, else their
        departure's."""
        async with self._database.reading() as store:
            profile = await store.profile_of(staff_id)
            departure = await store.departure_of(staff_id)
        return profile.board_id if profile else departure

    async def retention_of(self, board_id: UUID) -> int | None:
        """The board's own retention period after leaving, in days, if it set one."""
        async with self._database.reading() as store:
            return await store.retention_of(board_id)

    async def plan(self, staff_id: UUID, year: str) -> list[GoalProgress]:
        """The plan's goals with the progress on each, from the portfolio's entries."""
        async with self._database.reading() as store:
            goals: tuple[PlanGoal, ...] = await store.plan_of(staff_id, year)
            entries = await store.entries_of(staff_id)
        return progress(goals, entries, year)

    async def school_overview(self, school_id: UUID, year: str | None) -> SchoolOverview:
        year = year or school_year(dutch_today())
        async with self._database.reading() as store:
            profiles = await store.profiles_at(school_id)
            entries = await store.entries_of_many([p.staff_id for p in profiles])
            board = profiles[0].board_id if profiles else None
            targets = await store.board_targets(board) if board else {}
        return school_overview(profiles, entries, year, targets)

    async def school_audits(
        self, school_id: UUID
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The school's audits, oldest first, each with its points to improve and their
        follow-up; and the points still open across audits."""
        async with self._database.reading() as store:
            follow_ups = await store.follow_ups_of(school_id)
            stored = await store.audits_of(school_id)
        audits, still_open = [], []
        for audit in stored:
            improvements = (audit["findings"] or {}).get("improvements", [])
            own = [f for f in follow_ups if f.audit_id == audit["audit_id"]]
            its_points = [asdict(p) for p in points(improvements, own)]
            audits.append({**audit, "points": its_points})
            still_open += [
                {"audit_id": audit["audit_id"], "audit_date": audit["audit_date"], **p}
                for p in its_points
                if not p["closed"]
            ]
        return audits, still_open

    async def board_cycle(self, board_id: UUID, every_years: int) -> list[SchoolCycle]:
        async with self._database.reading() as store:
            audits = await store.audits_of_board(board_id)
        return cycle(audits, every_years, dutch_today())


async def _entries(store: Store, staff_id: UUID, as_of: date | None) -> list[Entry]:
    if as_of is None:
        return await store.entries_of(staff_id)
    history = await store.events_of(staff_id, end_of_dutch_day(as_of))
    return fold(Portfolio(), history).entries_of(staff_id)
