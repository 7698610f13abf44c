"""The demo's steps: an academy's programme, a waiting list, attendance, an approval and a
peer audit, all through the HTTP APIs."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from huisacademie import identity
from huisacademie.demo.client import Client, DemoFailed, wait_for
from services.shared.clock import dutch_today

STAFF = ["Anouk de Vries", "Bram Jansen", "Chantal Bakker", "Daan Visser", "Eva Smit"]
LEADER = "Femke de Boer"
READING, CLASSROOM, TEAM = (
    "Leesdidactiek in groep 3 en 4",
    "Klassenmanagement",
    "Leerteam formatief evalueren",
)
Say = Callable[[str], None]
USER = {p.name: p.username for p in identity.PEOPLE}
"""Whom the demo signs in as, by name."""
ACADEMY_ADMIN, BOARD_ADMIN = "joost", "sanne"


@dataclass
class World:
    """The demo board, its schools and people, as its directory holds them."""

    board: str = str(identity.DEMO_BOARD)
    schools: dict[str, str] = field(
        default_factory=lambda: {n: str(s) for n, s in identity.SCHOOLS.items()}
    )
    staff: dict[str, str] = field(
        default_factory=lambda: {p.name: str(p.staff_id) for p in identity.PEOPLE}
    )
    offerings: dict[str, dict[str, Any]] = field(default_factory=dict)


def sessions(first: date, count: int = 1) -> list[dict[str, str]]:
    days = [first + timedelta(days=n) for n in range(count)]
    return [
        {
            "starts_at": f"{d}T09:00:00+01:00",
            "ends_at": f"{d}T12:00:00+01:00",
            "location": "Leercentrum De Linde",
        }
        for d in days
    ]


def publish(call: Client, w: World, say: Say) -> None:
    academy = call(
        "POST",
        f"{call.cat}/academies",
        {"name": "Academie De Linde", "board_id": w.board},
        by=BOARD_ADMIN,
    )
    call.sign_in.grant_academy(ACADEMY_ADMIN, academy["academy_id"])
    say(f"academy set up by the board's administrator: {academy['name']}, run by Joost Mulder")
    today, soon = dutch_today(), dutch_today() + timedelta(days=14)
    # The reading course ends today, so its completion counts in this school year.
    plans = [
        (
            READING,
            "course",
            12,
            2,
            sessions(today - timedelta(days=1), 2),
            False,
            ["subject_didactics"],
            ["lezen"],
        ),
        (CLASSROOM, "workshop", 6, 20, sessions(soon), False, ["pedagogy"], ["veilige school"]),
        (
            TEAM,
            "learning_team",
            16,
            None,
            sessions(soon + timedelta(days=1), 4),
            True,
            ["pedagogy", "subject_didactics"],
            ["formatief evalueren"],
        ),
    ]
    for title, kind, hours, seats, dates, approval, domains, goals in plans:
        body = {
            "academy_id": academy["academy_id"],
            "title": title,
            "kind": kind,
            "study_hours": hours,
            "capacity": seats,
            "sessions": dates,
            "requires_approval": approval,
            "domains": domains,
            "goal_tags": goals,
        }
        w.offerings[title] = call("POST", f"{call.cat}/offerings", body, by=ACADEMY_ADMIN)
        approves = ", the school leader approves" if approval else ""
        say(f"offering published: {title} ({seats or 'unlimited'} seats, {hours} h{approves})")


def profiles(call: Client, w: World, say: Say) -> None:
    """The board's targets per role, and each person's profile: what the portfolios
    measure their hours against."""
    targets = {"hours_per_year": {"teacher": 40, "school_leader": 40}}
    call("PUT", f"{call.por}/boards/{w.board}/targets", targets, by=BOARD_ADMIN)
    for person in identity.PEOPLE:
        if person.school is None:
            continue
        role = "school_leader" if person.name == LEADER else "teacher"
        profile = {
            "board_id": w.board, "role": role, "sector": "po", "fte": 1.0,
            "school_ids": [w.schools[person.school]],
        }  # fmt: skip
        call("PUT", f"{call.por}/staff/{person.staff_id}/profile", profile, by=BOARD_ADMIN)
    say("the board's administrator sets the yearly target (40 hours) and each profile")


def pending(call: Client, w: World, say: Say) -> None:
    """Left for the web application's visitors: a request awaiting the school leader."""
    asked = enrol(call, w, STAFF[0], TEAM)
    say(f"{STAFF[0]} asks to join the learning team too: {asked['status']} (Femke decides)")


def enrol(call: Client, w: World, name: str, title: str) -> dict[str, Any]:
    role = "school_leader" if name == LEADER else "teacher"
    # A demo played again the same day meets its own earlier sessions: the people know.
    body = {"role": role, "offering_id": w.offerings[title]["offering_id"], "confirm_overlap": True}
    result: dict[str, Any] = call("POST", f"{call.enr}/enrollments", body, by=USER[name])
    return result


def waiting_list(call: Client, w: World, say: Say) -> dict[str, dict[str, Any]]:
    made = {name: enrol(call, w, name, READING) for name in STAFF}
    for name in STAFF:
        say(f"{name} enrols in reading didactics: {made[name]['status']}")
    call(
        "POST",
        f"{call.enr}/enrollments/{made[STAFF[0]]['enrollment_id']}/cancel",
        {"reason": "clash"},
        by=USER[STAFF[0]],
    )
    moved = call(
        "GET", f"{call.enr}/enrollments/{made[STAFF[2]]['enrollment_id']}", by=USER[STAFF[2]]
    )
    say(f"{STAFF[0]} cancels; {STAFF[2]} moves up from the waiting list: {moved['status']}")
    if moved["status"] != "enrolled":
        raise DemoFailed(f"expected {STAFF[2]} to be promoted, got {moved['status']}")
    return made


def attendance(call: Client, w: World, made: dict[str, dict[str, Any]], say: Say) -> None:
    for name in (STAFF[1], STAFF[2]):
        for session in w.offerings[READING]["sessions"]:
            url = f"{call.enr}/enrollments/{made[name]['enrollment_id']}/attendance"
            present = {"session_id": session["session_id"], "attended": True}
            done = call("POST", url, present, by=ACADEMY_ADMIN)
        say(f"{name} attended both reading sessions, so: {done['status']}")
    bram = w.staff[STAFF[1]]
    entry = made[STAFF[1]]["enrollment_id"]
    portfolio = f"{call.por}/staff/{bram}/portfolio"
    wait_for(
        "the course in the portfolio",
        lambda: any(e["entry_id"] == entry for e in call("GET", portfolio, by="bram")["entries"]),
    )
    reflection = {"text": "Voorlezen in kleine groepjes werkt: ik doe het nu elke dag."}
    call("POST", f"{call.por}/staff/{bram}/entries/{entry}/reflections", reflection, by="bram")
    say(f"{STAFF[1]} adds a reflection to the reading course in the portfolio")


def approval(call: Client, w: World, say: Say) -> None:
    request = enrol(call, w, STAFF[1], TEAM)
    say(f"{STAFF[1]} asks to join the learning team: {request['status']}")
    url = f"{call.enr}/enrollments/{request['enrollment_id']}"
    approved = call("POST", f"{url}/approve", {}, by=USER[LEADER])
    say(f"{LEADER}, school leader, approves: {approved['status']}")
    call(
        "POST", f"{url}/complete", {"reason": "alle vier bijeenkomsten gehouden"}, by=ACADEMY_ADMIN
    )
    today = dutch_today()
    last_year = date(today.year if today.month >= 8 else today.year - 1, 6, 20)
    workshop = enrol(call, w, STAFF[1], CLASSROOM)
    call(
        "POST",
        f"{call.enr}/enrollments/{workshop['enrollment_id']}/complete",
        {"completed_on": last_year.isoformat(), "reason": "uit de administratie van vorig jaar"},
        by=ACADEMY_ADMIN,
    )
    say(f"the academy records {STAFF[1]}'s learning team and last year's workshop as completed")


def audit(call: Client, w: World, say: Say) -> None:
    team = [
        {"staff_id": w.staff[STAFF[3]], "school_id": w.schools["Het Baken"], "role": "lead"},
        {"staff_id": w.staff[STAFF[4]], "school_id": w.schools["De Regenboog"], "role": "member"},
    ]
    planned = call(
        "POST",
        f"{call.cat}/audits",
        {
            "school_id": w.schools["De Linde"],
            "board_id": w.board,
            "audit_date": dutch_today().isoformat(),
            "theme": "teamleren en samenwerking",
            "team": team,
        },
        by=BOARD_ADMIN,
    )
    say(f"peer audit of De Linde scheduled, led by {STAFF[3]} (Het Baken)")
    findings = {
        "strengths": ["leraren bereiden hun lessen elke week samen voor"],
        "improvements": ["deel lesobservaties ook tussen de bouwen"],
        "recommendations": ["begin een leerteam over feedback"],
    }
    call(
        "POST",
        f"{call.cat}/audits/{planned['audit_id']}/complete",
        {"hours_per_auditor": 8, "findings": findings},
        by=USER[STAFF[3]],
    )
    say("peer audit completed with findings")
