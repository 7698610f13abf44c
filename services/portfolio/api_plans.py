"""Personal development plans and the school leader's overview, over HTTP."""

import json
from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.portfolio import PlanGoal, PlanSet
from contracts.values import Domains, GoalTags, Hours, Name
from services.portfolio import store
from services.portfolio.api import Commands, Conn
from services.portfolio.domain import school_year, valid_school_year
from services.portfolio.overviews import progress, school_overview
from services.shared.clock import dutch_today

router = APIRouter(tags=["plans"])


def _optional_school_year(text: str | None) -> str | None:
    return None if text is None else valid_school_year(text)


YEAR_PATTERN = r"^[0-9]{4}-[0-9]{4}$"
SchoolYear = Annotated[
    str,
    Path(pattern=YEAR_PATTERN, examples=["2026-2027"]),
    AfterValidator(valid_school_year),
]


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Name
    domains: Domains = ()
    goal_tags: GoalTags = ()
    target_hours: Hours


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    goals: list[GoalIn] = Field(max_length=20)


@router.put("/staff/{staff_id}/plans/{year}")
async def set_plan(
    staff_id: UUID,
    year: SchoolYear,
    body: PlanIn,
    cmd: Commands,
) -> dict[str, Any]:
    """The personal development plan (POP) for a school year (PlanSet)."""
    goals = tuple(PlanGoal(goal_id=uuid4(), **g.model_dump()) for g in body.goals)
    event = await cmd.set_plan(PlanSet(staff_id=staff_id, school_year=year, goals=goals))
    return {
        "staff_id": staff_id,
        "school_year": year,
        "goals": [g.model_dump() for g in event.goals],
    }


@router.get("/staff/{staff_id}/plans/{year}")
async def plan(staff_id: UUID, year: SchoolYear, conn: Conn) -> dict[str, Any]:
    """The plan with the progress on each goal, from the portfolio's entries."""
    stored = await store.plan_of(conn, staff_id, year)
    goals = [PlanGoal.model_validate(g) for g in json.loads(stored)] if stored else []
    entries = await store.entries_of(conn, staff_id)
    return {
        "staff_id": staff_id,
        "school_year": year,
        "goals": [asdict(p) for p in progress(goals, entries, year)],
    }


@router.get("/schools/{school_id}/overview")
async def overview(
    school_id: UUID,
    conn: Conn,
    year: Annotated[
        str | None, Query(pattern=YEAR_PATTERN), AfterValidator(_optional_school_year)
    ] = None,
) -> dict[str, Any]:
    """For the school leader: hours per goal tag and team, the share of staff with activity,
    and who is short of their target, in a school year (the current one by default)."""
    year = year or school_year(dutch_today())
    profiles = await store.profiles_at(conn, school_id)
    entries = await store.entries_of_many(conn, [p.staff_id for p in profiles])
    board = profiles[0].board_id if profiles else None
    targets = await store.board_targets(conn, board) if board else {}
    return {"school_id": school_id, **asdict(school_overview(profiles, entries, year, targets))}
