"""Progress on a personal development plan, and a school leader's overview of a school.
No I/O."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from contracts.personal import clear
from contracts.portfolio import PlanGoal
from services.portfolio.domain.hours import school_year, yearly_target
from services.portfolio.domain.portfolio import Entry
from services.portfolio.domain.profiles import Profile


@dataclass(frozen=True)
class GoalProgress:
    goal_id: UUID
    title: str
    target_hours: float
    hours: float
    reached: bool
    domains: tuple[str, ...] = ()
    goal_tags: tuple[str, ...] = ()


def _in_year(entries: Iterable[Entry], year: str) -> list[Entry]:
    return [e for e in entries if e.counts and school_year(e.completed_on) == year]  # type: ignore[arg-type]


def progress(goals: Sequence[PlanGoal], entries: Iterable[Entry], year: str) -> list[GoalProgress]:
    """Per goal, the hours of that school year's activities on its domains or goal tags
    (an activity may serve several goals)."""
    done = _in_year(entries, year)
    out = []
    for goal in goals:
        domains, tags = {d.value for d in goal.domains}, set(goal.goal_tags)
        hours = round(
            sum(e.hours or 0 for e in done if domains & set(e.domains) or tags & set(e.goal_tags)),
            2,
        )
        out.append(
            GoalProgress(
                goal.goal_id,
                clear(goal.title),
                goal.target_hours,
                hours,
                hours >= goal.target_hours,
                tuple(sorted(domains)),
                tuple(goal.goal_tags),
            )
        )
    return out


@dataclass(frozen=True)
class SchoolOverview:
    school_year: str
    staff: int
    active_share: float
    """Share of the school's staff with at least one activity that earned hours this year."""
    by_goal_tag: dict[str, float]
    by_team: dict[str, float]
    short_of_target: list[dict[str, object]]


def school_overview(
    profiles: Sequence[Profile], entries: Iterable[Entry], year: str, targets: Mapping[str, float]
) -> SchoolOverview:
    hours: dict[UUID, float] = defaultdict(float)
    by_tag: dict[str, float] = defaultdict(float)
    teams = {p.staff_id: p.team or "(no team)" for p in profiles}
    by_team: dict[str, float] = defaultdict(float)
    for e in _in_year(entries, year):
        if e.staff_id not in teams:
            continue
        hours[e.staff_id] += e.hours or 0
        by_team[teams[e.staff_id]] += e.hours or 0
        for tag in e.goal_tags:
            by_tag[tag] += e.hours or 0
    short = []
    for p in sorted(profiles, key=lambda p: str(p.staff_id)):
        target = yearly_target(p, targets)
        if target is not None and hours[p.staff_id] < target:
            short.append(
                {
                    "staff_id": p.staff_id,
                    "team": p.team,
                    "hours": round(hours[p.staff_id], 2),
                    "target": target,
                }
            )
    active = sum(1 for p in profiles if hours[p.staff_id] > 0)
    return SchoolOverview(
        year,
        len(profiles),
        round(active / len(profiles), 3) if profiles else 0.0,
        {k: round(v, 2) for k, v in sorted(by_tag.items())},
        {k: round(v, 2) for k, v in sorted(by_team.items())},
        short,
    )
