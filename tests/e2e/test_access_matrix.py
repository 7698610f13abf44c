"""Every route of every service, as every role (and without a token), on records inside
the caller's reach and outside it (another person, school and academy of the same board;
another board), against the running services with tokens from the real identity provider.

The expectation of each request comes from the service's policy table and what the test
knows of each record (whose it is, of which school, board and academy): a role the table
does not name gets 403, a record out of reach 403 or 404, no token 401, and a record in
reach is served (never 401, 403 or 404). So reaching someone else's record by changing an
id is caught; a route missing from the table fails. test_access_stories.py checks the table
itself against what people expect."""

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from huisacademie.identity import (
    INTEGRATION_CLIENT,
    INTEGRATION_SECRET,
    MONITORING_CLIENT,
    MONITORING_SECRET,
)
from huisacademie.serve import SERVICES
from services.portfolio.domain.hours import school_year
from services.shared.clock import dutch_today
from services.shared.identity.access import Principal, Role, Target, Verdict, decide
from tests.support.people import Caller, People
from tests.support.receiver import Receiver

pytestmark = pytest.mark.e2e

TODAY = dutch_today()
YEAR = school_year(TODAY)


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.url}: {response.status_code} {response.text}"
    return response.json()


@dataclass
class World:
    """One board's school and academy with a teacher, a leader, an auditor and their
    records, each made by whom would make it."""

    name: str
    board: str
    teacher: Caller
    leader: Caller
    auditor: Caller
    admin: Caller
    board_admin: Caller
    school: str
    auditor_school: str
    academy: str = ""
    hooks: str = ""
    """Where the world's subscriptions deliver (a receiver of the test's)."""
    ids: dict[str, str] = field(default_factory=dict)

    def subscribe(self, endpoints: Endpoints) -> None:
        """A subscription of the board's, with a request for history, as the world's."""
        made = ok(httpx.post(
            f"{endpoints.subscriptions}/boards/{self.board}/subscriptions",
            json={"url": self.hooks, "history": True}, headers=self.board_admin.headers,
        ))  # fmt: skip
        self.ids.update(subscription_id=made["id"], request_id=made["history_request"]["id"])

    def target(self, kind: str) -> Target:
        staff = Target(
            staff_id=self.teacher.staff_id,
            board_id=self.teacher.board_id,
            schools=self.teacher.schools,
        )
        academy = Target(academy_id=_uuid(self.academy), board_id=_uuid(self.board))
        return {
            "staff": staff,
            "enrollment": replace(staff, academy_id=_uuid(self.academy)),
            "reservation": Target(
                staff_id=self.leader.staff_id,
                board_id=_uuid(self.board),
                academy_id=_uuid(self.academy),
            ),
            "audit": Target(
                board_id=_uuid(self.board),
                schools=frozenset({_uuid(self.school)}),
                team=frozenset({self.auditor.staff_id}),  # type: ignore[arg-type]
            ),
            "school": Target(board_id=_uuid(self.board), schools=frozenset({_uuid(self.school)})),
            "board": Target(board_id=_uuid(self.board)),
            "academy": academy,
        }[kind]


def _uuid(value: str) -> UUID:
    return UUID(value)


def build(people: People, endpoints: Endpoints, name: str, board: str, hooks: str) -> World:
    school, auditor_school = str(uuid4()), str(uuid4())
    w = World(
        name=name,
        board=board,
        teacher=people.staff(board, schools=[school]),
        leader=people.leader(board, school),
        auditor=people.person(Role.AUDITOR, board=board, schools=[auditor_school]),
        admin=people.board_admin(board),  # replaced by the academy's administrator below
        board_admin=people.board_admin(board),
        school=school,
        auditor_school=auditor_school,
        hooks=hooks,
    )
    cat, enr, por = endpoints.catalogue, endpoints.enrollment, endpoints.portfolio
    made = ok(
        httpx.post(
            f"{cat}/academies",
            json={"name": f"Academie {name}", "board_id": board},
            headers=w.board_admin.headers,
        )
    )
    w.academy = made["academy_id"]
    w.admin = people.academy_admin(board, w.academy)
    past = (TODAY - timedelta(days=3)).isoformat()
    offering = ok(
        httpx.post(
            f"{cat}/offerings",
            json={
                "academy_id": w.academy, "title": f"Aanbod {name}", "kind": "workshop",
                "study_hours": 2, "capacity": 5, "visibility": "network",
                "sessions": [{"starts_at": f"{past}T09:00:00+01:00",
                              "ends_at": f"{past}T12:00:00+01:00"}],
            },
            headers=w.admin.headers,
        )
    )  # fmt: skip
    w.ids["offering_id"] = offering["offering_id"]
    w.ids["session_id"] = offering["sessions"][0]["session_id"]
    programme = {
        "academy_id": w.academy,
        "title": "Leerlijn",
        "offering_ids": [offering["offering_id"]],
    }
    w.ids["programme_id"] = ok(
        httpx.post(f"{cat}/programmes", json=programme, headers=w.admin.headers)
    )["programme_id"]
    wait_for(
        "enrollment to know the offering",
        lambda: (
            httpx.get(
                f"{enr}/offerings/{offering['offering_id']}", headers=w.admin.headers
            ).is_success
        ),
    )
    enrolled = ok(
        httpx.post(
            f"{enr}/enrollments",
            json={"role": "teacher", "offering_id": offering["offering_id"]},
            headers=w.teacher.headers,
        )
    )
    w.ids["enrollment_id"] = enrolled["enrollment_id"]
    w.ids["reservation_id"] = ok(
        httpx.post(
            f"{enr}/offerings/{offering['offering_id']}/reservations",
            json={"seats": 1},
            headers=w.leader.headers,
        )
    )["reservation_id"]
    staff = f"{por}/staff/{w.teacher.id}"
    entry = ok(httpx.post(f"{staff}/entries", json=ENTRY, headers=w.teacher.headers))
    w.ids["entry_id"] = entry["entry_id"]
    with_file = ok(
        httpx.post(
            f"{staff}/entries/{entry['entry_id']}/evidence",
            json={"file": {"name": "bewijs.pdf", "media_type": "application/pdf",
                           "content_base64": "JVBERi0xLjQK"}},
            headers=w.teacher.headers,
        )
    )  # fmt: skip
    w.ids["evidence_id"] = with_file["evidence"][0]["evidence_id"]
    ok(httpx.put(f"{staff}/plans/{YEAR}", json=PLAN, headers=w.teacher.headers))
    team = [{"staff_id": w.auditor.id, "school_id": auditor_school, "role": "lead"}]
    audit = ok(
        httpx.post(
            f"{cat}/audits",
            json={"school_id": school, "board_id": board, "theme": "Lezen",
                  "audit_date": TODAY.isoformat(), "team": team},
            headers=w.board_admin.headers,
        )
    )  # fmt: skip
    w.ids["audit_id"] = audit["audit_id"]
    ok(
        httpx.post(
            f"{cat}/audits/{audit['audit_id']}/complete",
            json={"findings": {"strengths": ["rust"], "improvements": ["feedback"]}},
            headers=w.auditor.headers,
        )
    )
    wait_for(
        "the portfolio to know the audit",
        lambda: httpx.get(f"{por}/schools/{school}/audits", headers=w.leader.headers).json()[
            "audits"
        ],
    )
    w.ids.update(staff_id=w.teacher.id, school_id=school, board_id=board, academy_id=w.academy,
                 year=YEAR, secret="no-such-secret")  # fmt: skip
    w.subscribe(endpoints)
    return w


ENTRY = {"title": "Congres", "kind": "conference", "hours": 1, "completed_on": "2026-10-01"}
PLAN = {"goals": [{"title": "Lezen", "goal_tags": ["reading"], "target_hours": 10}]}


def body(method: str, path: str, w: World) -> Any:
    """A valid body for the route, about the world's records."""
    ids = w.ids
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/academies"): {"name": "Matrix", "board_id": w.board},
        ("POST", "/offerings"): {
            "academy_id": w.academy,
            "title": "Matrix",
            "kind": "workshop",
            "study_hours": 2,
        },
        ("PATCH", "/offerings/{offering_id}"): {"title": "Matrix (gewijzigd)"},
        ("POST", "/programmes"): {
            "academy_id": w.academy,
            "title": "M",
            "offering_ids": [ids["offering_id"]],
        },
        ("POST", "/audits"): {
            "school_id": w.school,
            "board_id": w.board,
            "theme": "M",
            "audit_date": TODAY.isoformat(),
            "team": [{"staff_id": w.auditor.id, "school_id": w.auditor_school}],
        },
        ("POST", "/audits/{audit_id}/reschedule"): {
            "audit_date": (TODAY + timedelta(days=30)).isoformat()
        },
        ("POST", "/audits/{audit_id}/complete"): {"findings": {"strengths": ["x"]}},
        ("POST", "/enrollments"): {
            "role": "teacher",
            "offering_id": ids["offering_id"],
            "staff_id": w.teacher.id,
        },
        ("POST", "/teams/enrollments"): {
            "offering_id": ids["offering_id"],
            "members": [{"staff_id": w.teacher.id, "role": "teacher"}],
        },
        ("POST", "/enrollments/{enrollment_id}/attendance"): {
            "session_id": ids["session_id"],
            "attended": True,
        },
        ("POST", "/offerings/{offering_id}/reservations"): {"seats": 1},
        ("POST", "/reservations/{reservation_id}/fill"): {
            "members": [{"staff_id": w.teacher.id, "role": "teacher"}]
        },
        ("POST", "/staff/{staff_id}/entries"): ENTRY,
        ("POST", "/staff/{staff_id}/entries/{entry_id}/evidence"): {
            "link": "https://example.org/bewijs"
        },
        ("POST", "/staff/{staff_id}/entries/{entry_id}/reflections"): {"text": "Geleerd."},
        ("POST", "/staff/{staff_id}/entries/{entry_id}/notes"): {"text": "Mooi."},
        ("PUT", "/staff/{staff_id}/plans/{year}"): PLAN,
        ("PUT", "/staff/{staff_id}/profile"): {
            "board_id": w.board,
            "role": "teacher",
            "sector": "po",
            "fte": 1.0,
            "school_ids": [w.school],
        },
        ("PUT", "/boards/{board_id}/targets"): {"hours_per_year": {"teacher": 40}},
        # Left today, kept ten years: the retention job must not erase the world's people.
        ("POST", "/staff/{staff_id}/departure"): {"left_on": TODAY.isoformat()},
        ("PUT", "/boards/{board_id}/retention"): {"after_leaving_days": 3650},
        ("POST", "/schools/{school_id}/audits/{audit_id}/follow-ups"): {
            "point_index": 0,
            "action": "Gedaan",
        },
        ("POST", "/boards/{board_id}/subscriptions"): {"url": w.hooks},
        ("PATCH", "/subscriptions/{subscription_id}"): {"description": "matrix"},
        ("POST", "/subscriptions/{subscription_id}/replay"): {
            "since": "2100-01-01T00:00:00+00:00"  # nothing yet: the route, not the replay
        },
        ("POST", "/subscriptions/{subscription_id}/history"): {},
    }
    if (method, path) in bodies:
        return bodies[method, path]
    return {"reason": "matrix"} if method in ("POST", "PUT", "PATCH") else None


PRECEDENCE = (
    ("enrollment_id", "enrollment"), ("reservation_id", "reservation"),
    ("evidence_id", "staff"), ("staff_id", "staff"), ("school_id", "school"),
    ("audit_id", "audit"), ("board_id", "board"), ("offering_id", "academy"),
    ("subscription_id", "board"),
)  # fmt: skip
BODY_TARGETS = {
    ("POST", "/academies"): "board", ("POST", "/offerings"): "academy",
    ("POST", "/programmes"): "academy", ("POST", "/audits"): "board",
    ("POST", "/enrollments"): "staff", ("POST", "/teams/enrollments"): "staff",
}  # fmt: skip
"""Routes whose record is named in the body, not the path: refused with 403 out of reach."""


def kind_of(method: str, path: str) -> str | None:
    """What the route touches; None for a listing (it shows what the caller reaches)."""
    if (method, path) in BODY_TARGETS:
        return BODY_TARGETS[method, path]
    for param, kind in PRECEDENCE:
        if "{" + param + "}" in path:
            return kind
    return None


@dataclass(frozen=True)
class Request:
    service: str
    method: str
    path: str


def routes(endpoints: Endpoints) -> Iterator[Request]:
    for service in SERVICES:
        url = getattr(endpoints, service)
        document = ok(httpx.get(f"{url}/openapi.json"))
        for path, item in document["paths"].items():
            for method in item:
                if not path.startswith("/health"):
                    yield Request(service, method.upper(), path)


def principal(caller: Caller) -> Principal:
    return Principal(
        "issuer", caller.subject, caller.username, caller.board_id, caller.roles,
        caller.staff_id, caller.schools, caller.academies,
    )  # fmt: skip


def test_every_route_as_every_role_inside_and_outside_its_reach(
    people: People, endpoints: Endpoints
) -> None:
    home_board = str(uuid4())
    hooks = Receiver().start()
    home = build(people, endpoints, "thuis", home_board, hooks.url)
    next_door = build(people, endpoints, "naast", home_board, hooks.url)
    elsewhere = build(people, endpoints, "elders", str(uuid4()), hooks.url)
    callers: dict[str, Caller | None] = {
        "no token": None,
        "staff": home.teacher,
        "leader": home.leader,
        "academy_admin": home.admin,
        "board_admin": home.board_admin,
        "auditor": home.auditor,
        "privacy_officer": people.person(Role.PRIVACY_OFFICER, board=home_board),
        "integration": people.client(
            INTEGRATION_CLIENT, INTEGRATION_SECRET, home_board, Role.INTEGRATION
        ),
        "operator": people.client(MONITORING_CLIENT, MONITORING_SECRET, None, Role.OPERATOR),
    }
    # An erasure ends the records of the person it reaches: it goes last.
    found = sorted(routes(endpoints), key=lambda r: r.path.endswith("/erasure"))
    failures: list[str] = []
    checked: Counter[str] = Counter()
    began = time.monotonic()
    for route in found:
        policy = SERVICES[route.service].policy
        public = (route.method, route.path) in policy.public
        rule = policy.rule(route.method, route.path)
        if rule is None and not public:
            failures.append(f"{route.service} {route.method} {route.path}: not in the policy table")
            continue
        kind = kind_of(route.method, route.path)
        for world in (home, next_door, elsewhere):
            for role, caller in callers.items():
                expected = _expected(public, rule, kind, caller, world)
                status = _send(endpoints, route, world, caller)
                checked[expected] += 1
                if not _as_expected(expected, status):
                    failures.append(
                        f"{route.service} {route.method} {route.path} as {role} on {world.name}'s"
                        f" record: {status}, expected {expected}"
                    )
    seconds = time.monotonic() - began
    print(
        f"\naccess matrix: {len(found)} routes x {len(callers)} callers x 3 worlds ="
        f" {sum(checked.values())} requests in {seconds:.0f} s; {dict(checked)}"
    )
    for world in (home, next_door, elsewhere):  # no deliveries left behind, once it is gone
        for made in ok(httpx.get(
            f"{endpoints.subscriptions}/boards/{world.board}/subscriptions",
            headers=world.board_admin.headers,
        )):  # fmt: skip
            url = f"{endpoints.subscriptions}/subscriptions/{made['id']}"
            httpx.delete(url, headers=world.board_admin.headers)
    hooks.stop()
    assert not failures, "\n".join(failures)
    assert len(found) == sum(len(d.policy.rules) + len(d.policy.public) for d in SERVICES.values())


def _expected(
    public: bool, rule: Any, kind: str | None, caller: Caller | None, world: World
) -> str:
    if public:
        return "public"
    if caller is None:
        return "401"
    verdict = decide(principal(caller), rule, world.target(kind) if kind else Target())
    if verdict is Verdict.NO_ROLE:
        return "403"
    if verdict is Verdict.OUT_OF_REACH and kind is not None:
        return "refused"
    return "served"


def _as_expected(expected: str, status: int) -> bool:
    if status >= 500:
        return False
    return {
        "public": status not in (401, 403),
        "401": status == 401,
        "403": status == 403,
        "refused": status in (403, 404),
        "served": status not in (401, 403, 404),
    }[expected]


def _send(endpoints: Endpoints, route: Request, world: World, caller: Caller | None) -> int:
    if (route.method, route.path) == ("DELETE", "/subscriptions/{subscription_id}"):
        world.subscribe(endpoints)  # each caller that may deletes one of its own
    url = getattr(endpoints, route.service) + _fill(route.path, world.ids)
    headers = caller.headers if caller else {}
    payload = body(route.method, route.path, world)
    # Streamed: a stream of server-sent events answers with its status and goes on.
    with httpx.stream(route.method, url, json=payload, headers=headers, timeout=30) as response:
        if response.status_code == 401:
            assert response.headers["www-authenticate"].startswith("Bearer"), route
        return response.status_code


def _fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no value for {path}"
    return path
