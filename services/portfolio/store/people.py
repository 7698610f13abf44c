"""The portfolio's people: profiles, development plans, boards' targets and evidence files."""

from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

import asyncpg
from pydantic import TypeAdapter

from contracts.portfolio import PlanGoal
from contracts.values import Sector, StaffRole
from services.portfolio.domain.fold import PlanKey
from services.portfolio.domain.targets import Profile
from services.shared.db import Connection

_goals = TypeAdapter(tuple[PlanGoal, ...])


def _profile(r: asyncpg.Record) -> Profile:
    return Profile(
        r["staff_id"],
        r["board_id"],
        StaffRole(r["role"]),
        Sector(r["sector"]),
        float(r["fte"]),
        tuple(r["school_ids"]),
        r["team"],
    )


class PeopleTables:
    """Profiles, plans, boards' targets and evidence files."""

    _conn: Connection

    async def save_file(
        self, evidence_id: UUID, staff_id: UUID, name: str, media_type: str, content: bytes
    ) -> None:
        await self._conn.execute(
            "INSERT INTO evidence_files (evidence_id, staff_id, file_name, media_type, content)"
            " VALUES ($1, $2, $3, $4, $5)",
            evidence_id,
            staff_id,
            name,
            media_type,
            content,
        )

    async def get_file(self, evidence_id: UUID) -> tuple[str, str, bytes] | None:
        row = await self._conn.fetchrow(
            "SELECT file_name, media_type, content FROM evidence_files WHERE evidence_id = $1",
            evidence_id,
        )
        return (row["file_name"], row["media_type"], bytes(row["content"])) if row else None

    async def save_profiles(self, profiles: Iterable[Profile]) -> None:
        await self._conn.executemany(
            "INSERT INTO profiles (staff_id, board_id, role, sector, fte, school_ids, team)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (staff_id) DO UPDATE"
            " SET (board_id, role, sector, fte, school_ids, team) ="
            " (EXCLUDED.board_id, EXCLUDED.role, EXCLUDED.sector, EXCLUDED.fte,"
            "  EXCLUDED.school_ids, EXCLUDED.team)",
            [
                (
                    p.staff_id,
                    p.board_id,
                    p.role.value,
                    p.sector.value,
                    p.fte,
                    list(p.school_ids),
                    p.team,
                )
                for p in profiles
            ],
        )

    async def profile_of(self, staff_id: UUID) -> Profile | None:
        r = await self._conn.fetchrow("SELECT * FROM profiles WHERE staff_id = $1", staff_id)
        return _profile(r) if r else None

    async def profiles_at(self, school_id: UUID) -> list[Profile]:
        rows = await self._conn.fetch(
            "SELECT * FROM profiles WHERE $1 = ANY(school_ids)", school_id
        )
        return [_profile(r) for r in rows]

    async def save_plans(self, plans: Mapping[PlanKey, Sequence[PlanGoal]]) -> None:
        """A plan replaces the person's plan for that school year."""
        await self._conn.executemany(
            "INSERT INTO plans (staff_id, school_year, goals) VALUES ($1, $2, $3)"
            " ON CONFLICT (staff_id, school_year) DO UPDATE SET goals = EXCLUDED.goals",
            [
                (staff, year, _goals.dump_json(tuple(goals)).decode())
                for (staff, year), goals in plans.items()
            ],
        )

    async def plan_of(self, staff_id: UUID, school_year: str) -> tuple[PlanGoal, ...]:
        """The person's goals for the school year; none without a plan."""
        goals: str | None = await self._conn.fetchval(
            "SELECT goals FROM plans WHERE staff_id = $1 AND school_year = $2",
            staff_id,
            school_year,
        )
        return _goals.validate_json(goals) if goals else ()

    async def set_board_targets(self, board_id: UUID, targets: dict[str, float]) -> None:
        await self._conn.execute("DELETE FROM board_targets WHERE board_id = $1", board_id)
        await self._conn.executemany(
            "INSERT INTO board_targets (board_id, role, hours_per_year) VALUES ($1, $2, $3)",
            [(board_id, role, hours) for role, hours in targets.items()],
        )

    async def board_targets(self, board_id: UUID) -> dict[str, float]:
        rows = await self._conn.fetch(
            "SELECT role, hours_per_year FROM board_targets WHERE board_id = $1", board_id
        )
        return {r["role"]: float(r["hours_per_year"]) for r in rows}
