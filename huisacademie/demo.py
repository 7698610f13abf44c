"""A scenario played through the HTTP APIs of a running system."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx


@dataclass(frozen=True)
class Endpoints:
    catalogue: str = "http://127.0.0.1:8001"
    enrollment: str = "http://127.0.0.1:8002"
    portfolio: str = "http://127.0.0.1:8003"


class DemoFailed(RuntimeError):
    pass


STAFF = ["Anouk de Vries", "Bram Jansen", "Chantal Bakker", "Daan Visser", "Eva Smit"]


def _ok(response: httpx.Response) -> Any:
    if response.is_error:
        raise DemoFailed(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text}"
        )
    return response.json()


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll until probe returns something truthy: the services are eventually consistent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.1)
    raise DemoFailed(f"timed out after {timeout:.0f} s waiting for {what}")


def run(endpoints: Endpoints = Endpoints(), say: Callable[[str], None] = print) -> dict[str, Any]:
    """Plays the scenario; returns what it made (ids, portfolio) for tests to check."""
    with httpx.Client(timeout=10.0) as http:
        cat, enr, por = endpoints.catalogue, endpoints.enrollment, endpoints.portfolio
        board = str(uuid.uuid4())
        schools = {name: str(uuid.uuid4()) for name in ("De Linde", "Het Baken", "De Regenboog")}
        staff = {name: str(uuid.uuid4()) for name in STAFF}
        academy = _ok(
            http.post(f"{cat}/academies", json={"name": "Academie De Linde", "board_id": board})
        )
        say(f"academy published by board {board[:8]}: {academy['name']}")

        start = (date.today() + timedelta(days=14)).isoformat()
        offerings = {}
        for title, kind, hours, capacity, domains, goals in (
            (
                "Reading didactics in groups 3-4",
                "course",
                12,
                2,
                ["subject_didactics"],
                ["reading"],
            ),
            ("Classroom management", "workshop", 6, 20, ["pedagogy"], ["safe_school"]),
            (
                "Learning team: formative assessment",
                "learning_team",
                16,
                None,
                ["pedagogy", "subject_didactics"],
                ["formative_assessment"],
            ),
        ):
            body = {
                "academy_id": academy["academy_id"],
                "title": title,
                "kind": kind,
                "study_hours": hours,
                "capacity": capacity,
                "domains": domains,
                "goal_tags": goals,
                "sessions": [
                    {
                        "starts_at": f"{start}T13:00:00+01:00",
                        "ends_at": f"{start}T16:00:00+01:00",
                        "location": "Leercentrum De Linde",
                    }
                ],
            }
            offerings[title] = _ok(http.post(f"{cat}/offerings", json=body))
            say(f"offering published: {title} ({capacity or 'unlimited'} seats, {hours} h)")
        reading, classroom, team = (o["offering_id"] for o in offerings.values())

        def enrollment_knows_all() -> bool:
            return all(
                http.get(f"{enr}/offerings/{oid}").status_code == 200
                for oid in (reading, classroom, team)
            )

        wait_for("enrollment to learn the offerings", enrollment_knows_all)

        enrollments = {}
        for name, staff_id in staff.items():
            e = _ok(
                http.post(f"{enr}/enrollments", json={"staff_id": staff_id, "offering_id": reading})
            )
            enrollments[name] = e
            say(f"{name} enrols in reading didactics: {e['status']}")
        first = STAFF[0]
        _ok(
            http.post(
                f"{enr}/enrollments/{enrollments[first]['enrollment_id']}/cancel",
                json={"reason": "schedule clash"},
            )
        )
        promoted = _ok(http.get(f"{enr}/enrollments/{enrollments[STAFF[2]]['enrollment_id']}"))
        say(f"{first} cancels; {STAFF[2]} moves up from the waiting list: {promoted['status']}")
        if promoted["status"] != "enrolled":
            raise DemoFailed(f"expected {STAFF[2]} to be promoted, got {promoted['status']}")

        completed = []
        for name in (STAFF[1], STAFF[2]):
            _ok(
                http.post(
                    f"{enr}/enrollments/{enrollments[name]['enrollment_id']}/complete", json={}
                )
            )
            completed.append((name, "Reading didactics in groups 3-4"))
        last_year = date(
            date.today().year if date.today().month >= 8 else date.today().year - 1, 6, 20
        )
        for offering_id, title, on in (
            (classroom, "Classroom management", last_year.isoformat()),
            (team, "Learning team: formative assessment", None),
        ):
            e = _ok(
                http.post(
                    f"{enr}/enrollments",
                    json={"staff_id": staff[STAFF[1]], "offering_id": offering_id},
                )
            )
            _ok(
                http.post(
                    f"{enr}/enrollments/{e['enrollment_id']}/complete", json={"completed_on": on}
                )
            )
            completed.append((STAFF[1], title))
        for name, title in completed:
            say(f"completed: {name}, {title}")

        audit = _ok(
            http.post(
                f"{cat}/audits",
                json={
                    "school_id": schools["De Linde"],
                    "board_id": board,
                    "theme": "team learning and collaboration",
                    "audit_date": date.today().isoformat(),
                    "team": [
                        {
                            "staff_id": staff[STAFF[3]],
                            "school_id": schools["Het Baken"],
                            "role": "lead",
                        },
                        {
                            "staff_id": staff[STAFF[4]],
                            "school_id": schools["De Regenboog"],
                            "role": "member",
                        },
                    ],
                },
            )
        )
        say(f"peer audit of De Linde scheduled, led by {STAFF[3]} (Het Baken)")
        _ok(
            http.post(
                f"{cat}/audits/{audit['audit_id']}/complete",
                json={
                    "hours_per_auditor": 8,
                    "findings": {
                        "strengths": ["teachers plan lessons together weekly"],
                        "improvements": ["share classroom observations across teams"],
                        "recommendations": ["start a learning team on feedback"],
                    },
                },
            )
        )
        say("peer audit completed with findings")

        bram = staff[STAFF[1]]
        portfolio = wait_for(
            "the portfolio to catch up",
            lambda: _settled(_ok(http.get(f"{por}/staff/{bram}/portfolio")), completions=3),
        )
        history = wait_for(
            "the audit history to catch up",
            lambda: _audit_done(_ok(http.get(f"{por}/schools/{schools['De Linde']}/audits"))),
        )
        lead = wait_for(
            "the auditor's portfolio",
            lambda: _settled(
                _ok(http.get(f"{por}/staff/{staff[STAFF[3]]}/portfolio")), completions=1
            ),
        )

        say("")
        say(f"Portfolio of {STAFF[1]}: {portfolio['total_hours']} hours")
        for year in portfolio["school_years"]:
            say(
                f"  school year {year['school_year']}: {year['hours']} h,"
                f" per domain {year['by_domain']}"
            )
        say(f"Audit work credited to {STAFF[3]}: {lead['total_hours']} hours")
        say(
            f"Audit history of De Linde: {len(history['audits'])} audit(s), "
            f"status {history['audits'][0]['status']}"
        )
        say("")
        say(f"portfolio:     {por}/staff/{bram}/portfolio")
        say(f"audit history: {por}/schools/{schools['De Linde']}/audits")
        return {
            "staff": staff,
            "schools": schools,
            "offerings": offerings,
            "portfolio": portfolio,
            "history": history,
            "auditor_portfolio": lead,
            "board": board,
        }


def _settled(portfolio: dict[str, Any], completions: int) -> dict[str, Any] | None:
    done = [e for e in portfolio["entries"] if e["status"] == "completed"]
    return portfolio if len(done) >= completions else None


def _audit_done(history: dict[str, Any]) -> dict[str, Any] | None:
    audits = history["audits"]
    return history if audits and audits[0]["status"] == "completed" else None
