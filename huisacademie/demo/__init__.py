"""A scenario played through the HTTP APIs of a running system."""

from collections.abc import Callable
from typing import Any

import httpx

from huisacademie import identity
from huisacademie.demo import privacy, scenario, subscribers
from huisacademie.demo.client import Client, DemoFailed, Endpoints, SignIn, wait_for
from huisacademie.demo.scenario import LEADER, STAFF, USER, World
from huisacademie.demo.subscribers import Subscribers

__all__ = [
    "LEADER", "STAFF", "USER", "DemoFailed", "Endpoints", "SignIn", "Subscribers", "run",
    "wait_for",
]  # fmt: skip


WEB_USERS = (
    ("bram", "staff member at De Linde: offerings, enrolments, portfolio, POP"),
    ("anouk", "staff member at De Linde, with a request awaiting approval"),
    ("femke", "school leader of De Linde: approvals, team, school overview, audits"),
    ("joost", "academy administrator: publishing, attendance, completions"),
    ("sanne", "board administrator: targets, staff profiles, peer audits"),
)
"""Whom the demo suggests signing in as in the browser, and what each one sees."""


def run(
    endpoints: Endpoints,
    sign_in: SignIn,
    say: Callable[[str], None] = print,
    subscribed: Subscribers | None = None,
) -> dict[str, Any]:
    """Plays the scenario, each step signed in as the person who takes it; returns what it
    made (ids, portfolio) for tests to check. With `subscribed`: a webhook receiver and the
    learning record store get the scenario's events, and show what they got."""
    with httpx.Client(timeout=10.0) as http:
        call, w = Client(http, endpoints, sign_in), scenario.World()
        since = subscribers.subscribe(call, w, subscribed, say) if subscribed else None
        scenario.publish(call, w, say)
        scenario.profiles(call, w, say)
        wait_for(
            "enrollment to learn the offerings",
            lambda: all(call.known_to_enrollment(o["offering_id"]) for o in w.offerings.values()),
        )
        made = scenario.waiting_list(call, w, say)
        scenario.attendance(call, w, made, say)
        scenario.approval(call, w, say)
        scenario.audit(call, w, say)
        scenario.pending(call, w, say)
        erased = privacy.rights(call, w, say)
        received = subscribers.report(call, subscribed, since, say) if subscribed and since else {}
        return {**_report(call, w, say), **erased, **received}


def _report(call: Client, w: World, say: Callable[[str], None]) -> dict[str, Any]:
    """Waits until the portfolio has caught up, then prints a summary and the URLs."""
    bram, linde, lead = w.staff[STAFF[1]], w.schools["De Linde"], w.staff[STAFF[3]]
    portfolio = wait_for(
        "the portfolio",
        lambda: _completed(call("GET", f"{call.por}/staff/{bram}/portfolio", by="bram"), 3),
    )
    history = wait_for(
        "the audit history",
        lambda: _audited(call("GET", f"{call.por}/schools/{linde}/audits", by=USER[LEADER])),
    )
    auditor = wait_for(
        "the auditor's portfolio",
        lambda: _completed(call("GET", f"{call.por}/staff/{lead}/portfolio", by=USER[STAFF[3]]), 1),
    )
    say("")
    say(f"Portfolio of {STAFF[1]}: {portfolio['total_hours']} hours")
    for year in portfolio["school_years"]:
        say(
            f"  school year {year['school_year']}: {year['hours']} h, by domain {year['by_domain']}"
        )
    say(f"Audit work credited to {STAFF[3]}: {auditor['total_hours']} hours")
    audits = history["audits"]
    say(f"Audit history of De Linde: {len(audits)} audit(s), {audits[0]['status']}")
    feed = call("POST", f"{call.enr}/staff/{bram}/calendar-feed", {}, by="bram")
    say("")
    say(f"Every address below needs a sign-in: {STAFF[1]}'s token (valid 15 minutes) from")
    say("  TOKEN=$(.venv/bin/huisacademie token --as staff)   # or --staff bram")
    say('  curl -H "Authorization: Bearer $TOKEN" <address>')
    say(f"portfolio:     {call.por}/staff/{bram}/portfolio")
    say(f"as a page:     {call.por}/staff/{bram}/portfolio.html")
    say(f"as a PDF:      {call.por}/staff/{bram}/portfolio.pdf")
    say(f"audit history: {call.por}/schools/{linde}/audits   (--as leader)")
    say(f"calendar:      {feed['url']}   (secret: no token; renew it to revoke)")
    say("")
    say(f"The web application: {call.web}   (each person's password: demo)")
    for username, what in WEB_USERS:
        say(f"  {username:<7} {identity.BY_USERNAME[username].name:<15} {what}")
    return {
        "staff": w.staff,
        "schools": w.schools,
        "offerings": w.offerings,
        "board": w.board,
        "portfolio": portfolio,
        "history": history,
        "auditor_portfolio": auditor,
    }


def _completed(portfolio: dict[str, Any], at_least: int) -> dict[str, Any] | None:
    done = [e for e in portfolio["entries"] if e["status"] == "completed"]
    return portfolio if len(done) >= at_least else None


def _audited(history: dict[str, Any]) -> dict[str, Any] | None:
    audits = history["audits"]
    return history if audits and audits[0]["status"] == "completed" else None
