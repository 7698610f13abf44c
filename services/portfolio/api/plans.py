"""The portfolio's HTTP API for personal development plans (POP) and the school leader's
overview of a school."""

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from contracts.portfolio import PlanGoal, PlanSet
from services.portfolio.api.deps import Commands, Queries
from services.portfolio.api.schemas import (
    YEAR_PATTERN,
    PlanIn,
    SchoolYear,
    optional_school_year,
)
from services.shared.identity.http import Who

router = APIRouter(tags=["plans"])


@router.put("/staff/{staff_id}/plans/{year}")
async def set_plan(
    staff_id: UUID,
    year: SchoolYear,
    body: PlanIn,
    cmd: Commands,
    who: Who,
) -> dict[str, Any]:
    """The personal development plan (POP) for a school year (PlanSet)."""
    await who.allow_staff(staff_id)
    goals = tuple(PlanGoal(goal_id=uuid4(), **g.model_dump()) for g in body.goals)
    event = await cmd.set_plan(PlanSet(staff_id=staff_id, school_year=year, goals=goals))
    return {
        "staff_id": staff_id,
        "school_year": year,
        "goals": [g.model_dump() for g in event.goals],
    }


@router.get("/staff/{staff_id}/plans/{year}")
async def plan(staff_id: UUID, year: SchoolYear, q: Queries, who: Who) -> dict[str, Any]:
    """The plan with each goal's domains and focal points, and the progress on each, from
    the portfolio's entries."""
    await who.allow_staff(staff_id)
    goals = await q.plan(staff_id, year)
    return {"staff_id": staff_id, "school_year": year, "goals": [asdict(g) for g in goals]}


@router.get("/schools/{school_id}/overview")
async def overview(
    school_id: UUID,
    q: Queries,
    who: Who,
    year: Annotated[
        str | None, Query(pattern=YEAR_PATTERN), AfterValidator(optional_school_year)
    ] = None,
) -> dict[str, Any]:
    """For the school leader: hours per goal tag and team, the share of staff with activity,
    and who is short of their target, in a school year (the current one by default)."""
    await who.allow_school(school_id)
    return {"school_id": school_id, **asdict(await q.school_overview(school_id, year))}
