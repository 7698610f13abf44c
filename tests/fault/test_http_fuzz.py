"""Hostile HTTP input: every service's OpenAPI, fuzzed by schemathesis against the running
service (tests/support/fuzz.py). No request may end in a 5xx or in an answer its schema does
not describe, and afterwards the databases must hold every rule the services enforce: no
request was accepted that broke one.

Every request is signed: mostly by someone who may use the route on the records it names, so
that the fuzzing reaches the handlers; 1 in 10 without a token, with a broken or expired one,
or by someone with little or no reach, so that the refusals are fuzzed too. Those without a
valid token must be refused whatever they ask, and the authorised requests must mostly get
past the access checks (a run that only ever saw 403 would prove nothing).

A short run by default; FAULT_LONG=1 sends thousands of requests per service.
"""

import asyncio
import base64
import json
import os
import random
import string
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
import schemathesis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from schemathesis.checks import response_schema_conformance

from contracts.values import AuditRole, AuditTeamMember, OfferingDetails
from huisacademie.demo import Endpoints, wait_for
from huisacademie.identity import AUDIENCE, MONITORING_CLIENT, MONITORING_SECRET
from huisacademie.oidc import Keycloak
from huisacademie.system import System
from services.portfolio.domain.hours import school_year
from services.shared.clock import dutch_today
from services.shared.identity.access import Role
from tests.support import seeds
from tests.support.fuzz import Budget, Cast, Headers, Known, Refusal, fuzz, ids_of
from tests.support.people import PASSWORD, Caller, People

pytestmark = pytest.mark.fault

LONG = os.environ.get("FAULT_LONG") == "1"
BUDGET = Budget(requests=5000, coverage=2000) if LONG else Budget(requests=400, coverage=120)
SETTLE = 60.0
"""Seconds the services get to pass every event on before the databases must agree."""
PAST_THE_GATE = 0.6
"""The share of the authorised requests, at least, that the access checks must let through
(to a handler's rules, or to the validation of what they sent); 0.8 to 0.96 in short runs.
Most of the rest name a random id, outside anyone's reach (404, as if it did not exist)."""

SEEDED_BOARDS = [str(uuid.uuid4()) for _ in range(2)]
SCHOOLS_OF = {board: [str(uuid.uuid4()) for _ in range(3)] for board in SEEDED_BOARDS}
"""Each board's schools (a school's board is that of the people placed in it)."""
SCHOOLS = SCHOOLS_OF[SEEDED_BOARDS[0]]
EVERY_ROLE = (Role.LEADER, Role.ACADEMY_ADMIN, Role.BOARD_ADMIN, Role.AUDITOR)


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.url}: {response.status_code} {response.text}"
    return response.json()


def _day(days_from_now: int) -> str:
    return (dutch_today() + timedelta(days=days_from_now)).isoformat()


def _sessions(*days_from_now: int) -> list[dict[str, str]]:
    days = [_day(n) for n in days_from_now]
    return [{"starts_at": f"{d}T09:00:00+01:00", "ends_at": f"{d}T12:00:00+01:00"} for d in days]


@dataclass(frozen=True)
class HeldKey:
    """A signing key of the tests' realm that this module holds: the provider publishes it
    (never signing with it itself), so a token can be made that is valid in all but one
    way: it has expired."""

    private: rsa.RSAPrivateKey
    kid: str
    issuer: str

    def sign(self, subject: str, *, expired: bool = False) -> str:
        now = int(time.time())
        exp = now - 120 if expired else now + 300  # beyond the services' leeway (5 s)
        claims = {"iss": self.issuer, "aud": AUDIENCE, "sub": subject, "iat": exp - 900, "exp": exp}
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


@dataclass(frozen=True)
class World:
    """What was seeded, and who sends the requests."""

    known: Known
    cast: Cast


def seed(endpoints: Endpoints, people: People, held: HeldKey) -> World:
    """Two boards' academies with offerings of every shape (a few seats, unlimited, no dates,
    approval, an enrollment window), people enrolled and waiting, a reservation, audits
    (one completed, with points to improve), and portfolio entries, evidence, a profile, a
    plan and a calendar feed: each made by whoever would make it."""
    known = Known()
    signed_in: dict[str, Caller] = {}

    def meet(caller: Caller) -> Caller:
        known.person(caller.id, caller.board)
        signed_in[caller.id] = caller
        return caller

    for board, schools in SCHOOLS_OF.items():
        for school in schools:
            known.school(school, board)
    first_board, second_board = SEEDED_BOARDS
    cat, enr, por = endpoints.catalogue, endpoints.enrollment, endpoints.portfolio
    with httpx.Client(timeout=30) as http:

        def call(by: Caller, method: str, url: str, body: Any = None, **request: str) -> Any:
            made = ok(http.request(method, url, json=body, headers=by.headers))
            known.learn(made, {**ids_of(body), **request})
            return made

        # Each board's administrator sets up its academy, whose administrator publishes.
        board_admins = [meet(people.board_admin(board)) for board in SEEDED_BOARDS]
        academies = [
            call(admin, "POST", f"{cat}/academies", {"name": f"Academie {n}", "board_id": board})
            for n, (admin, board) in enumerate(zip(board_admins, SEEDED_BOARDS, strict=True))
        ]
        first, second = (a["academy_id"] for a in academies)
        publishers = {
            academy: meet(people.academy_admin(board, academy))
            for academy, board in ((first, first_board), (second, second_board))
        }
        shapes: list[dict[str, Any]] = [
            {"academy_id": first, "capacity": 2, "sessions": _sessions(60, 67)},
            {"academy_id": first, "capacity": 1, "sessions": _sessions(61)},
            {"academy_id": first, "visibility": "public"},
            {
                "academy_id": second,
                "capacity": 3,
                "requires_approval": True,
                "visibility": "network",
                "audience": {"roles": ["teacher"], "sectors": ["po"]},
                "sessions": _sessions(62),
            },
            {
                "academy_id": second,
                "capacity": 5,
                "enrolment_closes": f"{_day(50)}T00:00:00+01:00",
                "completion": {"min_attendance_share": 0.5},
                "sessions": _sessions(63, 70, 77),
            },
        ]
        offerings = [
            call(
                publishers[shape["academy_id"]],
                "POST",
                f"{cat}/offerings",
                {"title": f"Aanbod {n}", "kind": "course", "study_hours": 4.5, **shape},
            )
            for n, shape in enumerate(shapes)
        ]
        reader = board_admins[0]
        wait_for(
            "enrollment to know the seeded offerings",
            lambda: all(
                http.get(f"{enr}/offerings/{o['offering_id']}", headers=reader.headers).is_success
                for o in offerings
            ),
        )
        # Staff of each board, in its schools, enrol themselves.
        staff = [
            meet(people.staff(board, schools=[SCHOOLS_OF[board][n % 3]]))
            for n, board in enumerate([first_board] * 3 + [second_board] * 3)
        ]
        for who, offering in [
            (0, 1),  # the one seat
            (1, 1),  # waiting list
            (0, 0),
            (2, 0),
            (3, 2),  # no dates yet: interest list (another board's public offering)
            (4, 3),  # approval needed
            (5, 4),
            (3, 4),
        ]:
            body: dict[str, Any] = {
                "role": "teacher",
                "sector": "po",
                "offering_id": offerings[offering]["offering_id"],
                "confirm_overlap": True,
            }
            if who % 2:  # naming themself is the same as leaving it to the token
                body |= {"staff_id": staff[who].id, "board_id": staff[who].board}
            call(staff[who], "POST", f"{enr}/enrollments", body, staff_id=staff[who].id)
        # A school leader reserves seats for a team.
        leader = meet(people.leader(second_board, *SCHOOLS_OF[second_board]))
        held_for = offerings[4]["offering_id"]
        call(
            leader,
            "POST",
            f"{enr}/offerings/{held_for}/reservations",
            {"seats": 2},
            offering_id=held_for,
        )

        # The board's administrator schedules audits by a team from other schools: an
        # auditor who signs in leads, a colleague placed in another school takes part.
        auditor = meet(people.person(Role.AUDITOR, board=first_board, schools=[SCHOOLS[1]]))
        member = str(uuid.uuid4())
        people.place(member, first_board, SCHOOLS[2])
        known.person(member, first_board)
        team = [
            {"staff_id": auditor.id, "school_id": SCHOOLS[1], "role": "lead"},
            {"staff_id": member, "school_id": SCHOOLS[2], "role": "member"},
        ]
        audit = {"board_id": first_board, "theme": "Lezen", "team": team}
        board_admin = board_admins[0]
        done = call(
            board_admin,
            "POST",
            f"{cat}/audits",
            {**audit, "school_id": SCHOOLS[0], "audit_date": _day(-30)},
        )
        findings = {"strengths": ["Rust"], "improvements": ["Differentiatie", "Feedback"]}
        completed = f"{cat}/audits/{done['audit_id']}/complete"
        call(auditor, "POST", completed, {"findings": findings}, audit_id=done["audit_id"])
        call(
            board_admin,
            "POST",
            f"{cat}/audits",
            {**audit, "school_id": SCHOOLS[0], "audit_date": _day(300)},
        )

        # A staff member keeps their portfolio: an entry with evidence, a plan, a feed;
        # the board's administrator sets their profile.
        own = staff[0]
        mine = f"{por}/staff/{own.id}"
        entry = {"title": "Congres", "kind": "conference", "hours": 6, "completed_on": _day(-100)}
        added = call(own, "POST", f"{mine}/entries", entry, staff_id=own.id)
        text = base64.b64encode("Verslag van het congres: één dag.\n".encode()).decode()
        evidence = {"file": {"name": "verslag.txt", "media_type": "text/plain",
                             "content_base64": text}}  # fmt: skip
        entry_id = added["entry_id"]
        call(own, "POST", f"{mine}/entries/{entry_id}/evidence", evidence, staff_id=own.id)
        profile = {
            "board_id": first_board,
            "role": "teacher",
            "sector": "po",
            "fte": 0.8,
            "school_ids": SCHOOLS[:1],
        }
        call(board_admin, "PUT", f"{mine}/profile", profile, staff_id=own.id)
        plan = {"goals": [{"title": "Lezen", "goal_tags": ["reading"], "target_hours": 10}]}
        year = school_year(dutch_today())
        call(own, "PUT", f"{mine}/plans/{year}", plan, staff_id=own.id, year=year)
        call(own, "POST", f"{enr}/staff/{own.id}/calendar-feed", staff_id=own.id)
        wait_for(
            "the portfolio to know the completed audit",
            lambda: any(
                a["status"] == "completed"
                for a in ok(
                    http.get(f"{por}/schools/{SCHOOLS[0]}/audits", headers=board_admin.headers)
                )["audits"]
            ),
        )
    this_year = int(school_year(dutch_today())[:4])
    for start in (this_year - 1, this_year):
        known.add("year", f"{start}-{start + 1}")

    # Who fuzzes: per board a person with every role, of its schools and its academy.
    everyone = {
        board: meet(
            people.person(*EVERY_ROLE, board=board, schools=SCHOOLS_OF[board], academies=[academy])
        )
        for board, academy in ((first_board, first), (second_board, second))
    }
    known.seeding = False
    operator = people.client(MONITORING_CLIENT, MONITORING_SECRET, None, Role.OPERATOR)
    return World(known, Cast(everyone, signed_in, operator, refusals(people, everyone, held)))


def refusals(people: People, everyone: dict[str, Caller], held: HeldKey) -> dict[str, Refusal]:
    """Those whom the gate must stop: no valid token (401), a token of someone the
    directory does not know (403); and a staff member without schools or roles, whom only
    the routes themselves can stop (403 or 404, or their own records and the catalogue)."""
    rng = seeds.seeded("fuzz: refused tokens")
    some, other = everyone.values()
    stranger, outsider = _stranger(people), people.staff(SEEDED_BOARDS[0])
    unauthenticated = frozenset({401, 413})  # 413: a body over the limit, before anything
    return {
        "no token": Refusal(dict, unauthenticated),
        "garbage token": Refusal(lambda: _bearer(_garbage(rng, some)), unauthenticated),
        "tampered token": Refusal(lambda: _bearer(_tampered(some, other)), unauthenticated),
        "expired token": Refusal(
            lambda: _bearer(held.sign(some.subject, expired=True)), unauthenticated
        ),
        # Their headers are read at each request: a token of its own, renewed near expiry.
        "unknown person": Refusal(lambda: stranger.headers, frozenset({403, 413})),
        "staff without reach": Refusal(lambda: outsider.headers),
    }


def _bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def _b64(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def _garbage(rng: random.Random, caller: Caller) -> str:
    """Not a token, or one no issuer signed: random text, alg none, HMAC with a guess."""
    claims = jwt.decode(caller.token, options={"verify_signature": False})
    forms: list[Callable[[], str]] = [
        lambda: "".join(
            rng.choices(string.ascii_letters + string.digits + "-_.", k=rng.randint(1, 300))
        ),
        lambda: ".".join(_b64({"n": rng.random()}) for _ in range(rng.randint(1, 4))),
        lambda: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        lambda: jwt.encode(claims, "secret-" * 5, algorithm="HS256"),
    ]
    return rng.choice(forms)()


def _tampered(caller: Caller, other: Caller) -> str:
    """A real token, fresh, claiming to be someone else: its signature no longer fits."""
    token = caller.token
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    return f"{header}.{_b64({**claims, 'sub': other.subject})}.{signature}"


def _stranger(people: People) -> Caller:
    """Someone who signs in at a trusted provider, but whom no board placed in the directory."""
    username = f"t-{uuid.uuid4().hex[:16]}"
    subject = people.keycloak.create_user(people.realm, username, PASSWORD)
    return Caller(people.keycloak, people.realm, username, subject, None, None, frozenset())


@pytest.fixture(scope="module")
def held_key(keycloak: Keycloak, people: People) -> Iterator[HeldKey]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    # Active but of the lowest priority: published, never used by the provider itself.
    kid = keycloak.add_rsa_key(people.realm, pem, priority=1, active=True, name="fuzz-held")
    try:
        yield HeldKey(private, kid, people.issuer)
    finally:
        keycloak.remove_key(people.realm, kid)


KNOWS_THE_KEY = {
    "catalogue": "/offerings",
    "enrollment": "/staff/{me}/enrollments",
    "portfolio": "/staff/{me}/portfolio",
}
"""A route each service answers anyone on their own records: to see it take the held key."""


def knows_the_held_key(service: str, url: str, world: World, held: HeldKey) -> None:
    """So that an expired token is refused for having expired, not for an unknown key."""
    me = next(iter(world.cast.everyone.values()))
    probe = f"{url}{KNOWS_THE_KEY[service].format(me=me.id)}"
    wait_for(
        f"{service} to know the held key",
        lambda: httpx.get(probe, headers=_bearer(held.sign(me.subject))).is_success,
    )


@pytest.fixture
def seats_watched(system: System) -> Iterator[None]:
    """The seats taken at every change to an offering, counted in enrollment's database
    while it is watched (see WATCH)."""
    url = system.databases.migration_url("enrollment")  # the schema's owner adds the trigger
    asyncio.run(_execute(url, WATCH))
    try:
        yield
    finally:
        asyncio.run(_execute(url, UNWATCH))


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def world(endpoints: Endpoints, people: People, held_key: HeldKey, seats_watched: None) -> World:
    """A world of its own for each service's run: the catalogue's run withdraws offerings
    and completes audits, which would leave enrollment's run little to do."""
    return seed(endpoints, people, held_key)


def fuzz_and_check(
    service: str, endpoints: Endpoints, system: System, world: World, held: HeldKey
) -> None:
    url = getattr(endpoints, service)
    knows_the_held_key(service, url, world, held)
    report = fuzz(service, url, world.known, world.cast, BUDGET)
    # What was sent, by whom, and what came back, per operation (pytest -rP shows it).
    print(report.summary(), report.details(), sep="\n")
    assert not report.failures, report.summary()
    # Not vacuous: the requests were sent, of every kind, and some did what they asked.
    assert report.total >= BUDGET.requests, report.summary()
    assert report.by_phase["coverage"] >= min(BUDGET.coverage, 100), report.summary()
    assert report.by_phase["random positive"] and report.by_phase["random negative"]
    assert sum(n for s, n in report.statuses.items() if s < 300) >= report.total // 10, (
        report.summary()
    )
    assert sum(n for s, n in report.statuses.items() if s == 422) > 0, report.summary()
    # The gate: nobody without a valid token got past it; every refusal was sent; and the
    # authorised requests mostly got past the access checks, to the handlers' own rules.
    assert not report.slipped, report.summary()
    assert all(report.callers[kind] for kind in world.cast.refusals), report.summary()
    assert {"401", "403"} <= {answer for _, answer in report.answers}, report.summary()
    assert report.past_the_gate >= PAST_THE_GATE, report.summary()
    asyncio.run(assert_consistent(system, world.known))


def test_the_catalogue_survives_hostile_input(
    endpoints: Endpoints, system: System, world: World, held_key: HeldKey
) -> None:
    fuzz_and_check("catalogue", endpoints, system, world, held_key)


def test_enrollment_survives_hostile_input(
    endpoints: Endpoints, system: System, world: World, held_key: HeldKey
) -> None:
    fuzz_and_check("enrollment", endpoints, system, world, held_key)


def test_the_portfolio_survives_hostile_input(
    endpoints: Endpoints, system: System, world: World, held_key: HeldKey
) -> None:
    fuzz_and_check("portfolio", endpoints, system, world, held_key)


def test_a_rejection_is_documented(endpoints: Endpoints, people: People) -> None:
    """A command that breaks a rule (an audit without a lead), sent by the board's
    administrator, gets a 422 that says which; the answer must match what the OpenAPI says
    a 422 looks like."""
    schema = schemathesis.openapi.from_url(f"{endpoints.catalogue}/openapi.json")
    operation = schema["/audits"]["POST"]
    member = {"staff_id": str(uuid.uuid4()), "school_id": SCHOOLS[1], "role": "member"}
    body: dict[str, Any] = {
        "school_id": SCHOOLS[0],
        "board_id": SEEDED_BOARDS[0],
        "theme": "Rekenen",
        "audit_date": _day(100),
        "team": [member],
    }
    case = operation.Case(body=body, media_type="application/json")
    response = case.call(headers=people.board_admin(SEEDED_BOARDS[0]).headers)
    assert response.status_code == 422
    assert "lead" in response.json()["detail"]
    case.validate_response(response, checks=[response_schema_conformance])


# What the databases must hold after the run. Each check returns what breaks it, if anything.


async def assert_consistent(system: System, known: Known) -> None:
    """Every rule each service enforces holds in its database at once; what the services
    learn from one another's events agrees once the events are passed on."""
    urls = {name: system.databases.migration_url(name) for name in system.ports}
    cat = await asyncpg.connect(urls["catalogue"])
    enr = await asyncpg.connect(urls["enrollment"])
    por = await asyncpg.connect(urls["portfolio"])
    try:
        local = [
            *await catalogue_rules(cat),
            *await enrollment_rules(enr),
            *await portfolio_rules(por),
        ]
        assert not local, "\n".join(local)
        deadline = time.monotonic() + SETTLE
        while True:
            shared = await agreement(cat, enr, por, known)
            if not shared or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert not shared, "\n".join(shared)
    finally:
        for conn in (cat, enr, por):
            await conn.close()


def _doc(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def catalogue_rules(conn: asyncpg.Connection) -> list[str]:
    broken: list[str] = []
    academies = {
        r["academy_id"]: r
        for r in await conn.fetch("SELECT academy_id, board_id, name FROM academies")
    }
    offerings = await conn.fetch("SELECT offering_id, academy_id, details, status FROM offerings")
    for row in offerings:
        o = OfferingDetails.model_validate_json(row["details"])
        where = f"catalogue offering {row['offering_id']}"
        academy = academies[row["academy_id"]]
        if (o.offering_id, o.academy_id, o.board_id) != (
            row["offering_id"],
            row["academy_id"],
            academy["board_id"],
        ):
            broken.append(f"{where}: ids differ from its row or its academy's board")
        if o.academy_name != academy["name"]:
            broken.append(f"{where}: academy name {o.academy_name!r} is not the academy's")
        for s in o.sessions:
            if s.session_id is None or s.ends_at <= s.starts_at:
                broken.append(f"{where}: session {s} without an id or ending before it starts")
        ids = [s.session_id for s in o.sessions]
        if len(set(ids)) != len(ids):
            broken.append(f"{where}: a session id twice")
        if [s.starts_at for s in o.sessions] != sorted(s.starts_at for s in o.sessions):
            broken.append(f"{where}: sessions not in order")
        if o.enrolment_opens and o.enrolment_closes and o.enrolment_opens >= o.enrolment_closes:
            broken.append(f"{where}: enrolment closes before it opens")
    for row in await conn.fetch("SELECT * FROM audits"):
        where = f"catalogue audit {row['audit_id']}"
        team = [AuditTeamMember.model_validate(m) for m in _doc(row["team"])]
        credits = _doc(row["credits"]) or []
        if sum(m.role is AuditRole.LEAD for m in team) != 1:
            broken.append(f"{where}: not exactly one lead")
        if any(m.school_id == row["school_id"] for m in team):
            broken.append(f"{where}: an auditor from the audited school")
        if len({m.staff_id for m in team}) != len(team) or not team:
            broken.append(f"{where}: team empty or someone twice")
        if (row["status"] == "completed") != (row["findings"] is not None):
            broken.append(f"{where}: {row['status']} with findings {row['findings']}")
        credited = sorted(str(c["staff_id"]) for c in credits)
        expected = sorted(str(m.staff_id) for m in team) if row["status"] == "completed" else []
        if credited != expected or any(not 0 <= c["hours"] <= 10_000 for c in credits):
            broken.append(f"{where}: credits {credits} for a {row['status']} audit")
        if row["rescheduled_from"] == row["audit_date"]:
            broken.append(f"{where}: moved to the day it was on")
    by_id = {r["offering_id"]: r for r in offerings}
    for row in await conn.fetch("SELECT * FROM programmes"):
        ids = row["offering_ids"]
        if len(set(ids)) != len(ids) or not 1 <= len(ids) <= 50:
            broken.append(f"catalogue programme {row['programme_id']}: offerings {ids}")
        if any(i not in by_id or by_id[i]["academy_id"] != row["academy_id"] for i in ids):
            broken.append(f"catalogue programme {row['programme_id']}: another academy's offering")
    for row in await conn.fetch("SELECT offering_id, taken FROM seats WHERE taken < 0"):
        broken.append(f"catalogue seats of {row['offering_id']}: {row['taken']} taken")
    return broken


SEATED = "('enrolled', 'completed', 'not_completed')"
LIVE = "('interested', 'requested', 'enrolled', 'waitlisted')"


def _seated(offering_id: str) -> str:
    """Seats taken in an offering: held by someone, or reserved and not yet named."""
    return (
        f"(SELECT count(*) FROM enrollments e WHERE e.offering_id = {offering_id}"
        f"   AND e.status IN {SEATED})"
        " + (SELECT coalesce(sum(seats - filled), 0) FROM reservations r"
        f"   WHERE r.offering_id = {offering_id} AND NOT r.released)"
    )


# When an academy lowers an offering's capacity below the seats taken, everyone keeps their
# seat (enrollment's follow_updates cancels nobody) and no seat is given while the count is
# at or above the capacity (free_seats is never below zero). So from any change to an
# offering on, the seats taken stay at or below max(the new capacity, the seats taken at the
# change). The trigger counts them at each change, in the transaction that makes it: that
# transaction holds the offering's row lock, which every seat decision takes too, so the
# count is exact. Offerings that were there when the watch began are counted then.
WATCH = f"""
CREATE TABLE fuzz_seats_watched (
    n           bigserial PRIMARY KEY,
    offering_id uuid    NOT NULL,
    capacity    integer,
    seated      bigint  NOT NULL
);
CREATE FUNCTION fuzz_seats_watched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fuzz_seats_watched (offering_id, capacity, seated)
    VALUES (NEW.offering_id, (NEW.details->>'capacity')::integer, {_seated("NEW.offering_id")});
    RETURN NULL;
END $$;
CREATE TRIGGER fuzz_seats_watched AFTER INSERT OR UPDATE ON offerings
    FOR EACH ROW EXECUTE FUNCTION fuzz_seats_watched();
GRANT INSERT ON fuzz_seats_watched TO enrollment;  -- the trigger runs as the service
GRANT USAGE ON SEQUENCE fuzz_seats_watched_n_seq TO enrollment;
INSERT INTO fuzz_seats_watched (offering_id, capacity, seated)
    SELECT o.offering_id, (o.details->>'capacity')::integer, {_seated("o.offering_id")}
    FROM offerings o ORDER BY o.offering_id;
"""
UNWATCH = """
DROP TRIGGER fuzz_seats_watched ON offerings;
DROP FUNCTION fuzz_seats_watched();
DROP TABLE fuzz_seats_watched;
"""


async def enrollment_rules(conn: asyncpg.Connection) -> list[str]:
    broken: list[str] = []
    rows = await conn.fetch(
        "SELECT o.offering_id, o.details, o.withdrawn,"
        f" {_seated('o.offering_id')} AS seated,"
        " (SELECT count(*) FROM enrollments e WHERE e.offering_id = o.offering_id"
        "   AND e.status = 'waitlisted') AS waiting,"
        f" (SELECT count(*) FROM enrollments e WHERE e.offering_id = o.offering_id"
        f"   AND e.status IN {LIVE}) AS live,"
        " (SELECT count(*) FROM enrollments e WHERE e.offering_id = o.offering_id"
        "   AND e.status = 'interested') AS interested,"
        " (SELECT count(*) FROM reservations r WHERE r.offering_id = o.offering_id"
        "   AND NOT r.released) AS open_reservations,"
        " w.n IS NOT NULL AS watched, w.capacity AS watched_capacity, w.seated AS seated_then"
        " FROM offerings o LEFT JOIN LATERAL (SELECT n, capacity, seated FROM fuzz_seats_watched"
        "   WHERE offering_id = o.offering_id ORDER BY n DESC LIMIT 1) w ON true"
    )
    for row in rows:
        o = OfferingDetails.model_validate_json(row["details"])
        where = f"enrollment offering {row['offering_id']}"
        seated = row["seated"]
        if not row["watched"] or row["watched_capacity"] != o.capacity:
            broken.append(f"{where}: a change to capacity {o.capacity} went unwatched")
        elif o.capacity is not None and seated > max(o.capacity, row["seated_then"]):
            broken.append(
                f"{where}: {seated} seats taken of {o.capacity}, {row['seated_then']} when the"
                " offering last changed: overbooked"
            )
        if row["waiting"] and not row["withdrawn"] and (o.capacity is None or seated < o.capacity):
            broken.append(f"{where}: {row['waiting']} waiting while a seat is free")
        if row["withdrawn"] and (row["live"] or row["open_reservations"]):
            broken.append(f"{where}: withdrawn, yet enrollments or reservations still live")
        if row["interested"] and o.sessions and not row["withdrawn"]:
            broken.append(f"{where}: has dates, yet {row['interested']} still on the interest list")
    for row in await conn.fetch(
        "SELECT enrollment_id, status, completed_on, hours, queue_position FROM enrollments"
        " WHERE (status = 'completed') <> (completed_on IS NOT NULL AND hours IS NOT NULL)"
        " OR hours < 0 OR hours > 10000"
        " OR (status = 'waitlisted' AND queue_position IS NULL)"
    ):
        broken.append(f"enrollment {row['enrollment_id']}: {dict(row)}")
    for row in await conn.fetch(
        "SELECT offering_id, staff_id, count(*) FROM enrollments"
        f" WHERE status IN {LIVE} GROUP BY 1, 2 HAVING count(*) > 1"
    ):
        broken.append(f"enrollment: {row['staff_id']} enrolled twice in {row['offering_id']}")
    return broken


async def portfolio_rules(conn: asyncpg.Connection) -> list[str]:
    broken: list[str] = []
    for row in await conn.fetch("SELECT * FROM entries"):
        where = f"portfolio entry {row['entry_id']}"
        hours, on = row["hours"], row["completed_on"]
        if row["status"] == "completed" and (hours is None or on is None):
            broken.append(f"{where}: completed without hours or a date")
        if hours is not None and not 0 <= hours <= 10_000:
            broken.append(f"{where}: {hours} hours")
        if (on and school_year(on)) != row["school_year"]:
            broken.append(f"{where}: completed on {on}, school year {row['school_year']}")
    for row in await conn.fetch("SELECT * FROM plans"):
        first, _, second = row["school_year"].partition("-")
        goals = _doc(row["goals"])
        if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
            broken.append(f"portfolio plan of {row['staff_id']}: school year {row['school_year']}")
        if len(goals) > 20 or any(not 0 <= g["target_hours"] <= 10_000 for g in goals):
            broken.append(f"portfolio plan of {row['staff_id']}: goals {goals}")
    audits = {r["audit_id"]: r for r in await conn.fetch("SELECT * FROM audits")}
    for row in await conn.fetch("SELECT * FROM follow_ups"):
        audit = audits.get(row["audit_id"])
        points = (_doc(audit["findings"]) or {}).get("improvements", []) if audit else []
        if audit is None or audit["status"] != "completed" or row["point_index"] >= len(points):
            broken.append(f"portfolio follow-up {row['follow_up_id']}: on no point of a finding")
    for row in await conn.fetch("SELECT * FROM profiles WHERE fte <= 0 OR fte > 1.5"):
        broken.append(f"portfolio profile of {row['staff_id']}: fte {row['fte']}")
    for row in await conn.fetch(
        "SELECT * FROM board_targets WHERE hours_per_year < 0 OR hours_per_year > 1000"
    ):
        broken.append(f"portfolio board target {dict(row)}")
    for row in await conn.fetch(
        "SELECT f.evidence_id, f.staff_id FROM evidence_files f WHERE NOT EXISTS ("
        "  SELECT 1 FROM entries e, jsonb_array_elements(e.evidence) AS ev"
        "  WHERE e.staff_id = f.staff_id AND ev->>'evidence_id' = f.evidence_id::text)"
    ):
        broken.append(f"portfolio evidence file {row['evidence_id']}: on no entry of its owner")
    return broken


async def agreement(
    cat: asyncpg.Connection, enr: asyncpg.Connection, por: asyncpg.Connection, known: Known
) -> list[str]:
    """What one service learns from another's events matches the other's state, for what
    this module made or touched (other tests may leave events deliberately undelivered)."""
    broken: list[str] = []
    offerings = [uuid.UUID(i) for i in known.ids("offering_id")]
    catalogue = {
        r["offering_id"]: r
        for r in await cat.fetch(
            "SELECT o.offering_id, o.details, o.status, coalesce(s.taken, 0) AS taken"
            " FROM offerings o LEFT JOIN seats s USING (offering_id)"
            " WHERE o.offering_id = ANY($1::uuid[])",
            offerings,
        )
    }
    enrollment = {
        r["offering_id"]: r
        for r in await enr.fetch(
            f"SELECT o.offering_id, o.details, o.withdrawn, {_seated('o.offering_id')} AS seated"
            " FROM offerings o WHERE o.offering_id = ANY($1::uuid[])",
            offerings,
        )
    }
    for offering_id, theirs in enrollment.items():
        ours = catalogue.get(offering_id)
        if ours is None:
            broken.append(f"enrollment knows offering {offering_id}, the catalogue does not")
            continue
        versions = (
            _doc(ours["details"])["version"],
            _doc(theirs["details"])["version"],
        )
        if versions[0] != versions[1] or (ours["status"] == "withdrawn") != theirs["withdrawn"]:
            broken.append(f"offering {offering_id}: catalogue and enrollment differ: {versions}")
        if ours["taken"] != theirs["seated"]:
            broken.append(
                f"offering {offering_id}: the catalogue counts {ours['taken']} seats taken,"
                f" enrollment {theirs['seated']}"
            )
    for offering_id in catalogue.keys() - enrollment.keys():
        broken.append(f"offering {offering_id}: published, but enrollment never learned of it")

    # An erased person's enrolments stay (seats) while the portfolio forgets them.
    erased = {r["staff_id"] for r in await por.fetch("SELECT staff_id FROM erased_staff")}
    enrollments = await enr.fetch(
        "SELECT enrollment_id, staff_id, status, completed_on, hours FROM enrollments"
        " WHERE enrollment_id = ANY($1::uuid[]) OR offering_id = ANY($2::uuid[])",
        [uuid.UUID(i) for i in known.ids("enrollment_id")],
        offerings,
    )
    entries = {
        r["entry_id"]: r
        for r in await por.fetch(
            "SELECT entry_id, status, completed_on, hours FROM entries"
            " WHERE entry_id = ANY($1::uuid[])",
            [r["enrollment_id"] for r in enrollments],
        )
    }
    for e in enrollments:
        if e["staff_id"] in erased:
            if e["enrollment_id"] in entries:
                broken.append(f"enrollment {e['enrollment_id']}: its erased person's entry stays")
            continue
        entry = entries.get(e["enrollment_id"])
        if entry is None or (entry["status"], entry["completed_on"], entry["hours"]) != (
            e["status"],
            e["completed_on"],
            e["hours"],
        ):
            seen = dict(entry) if entry else None
            fields = {k: e[k] for k in ("enrollment_id", "status", "completed_on", "hours")}
            broken.append(f"enrollment {fields}: the portfolio has {seen}")

    audits = {
        r["audit_id"]: r
        for r in await cat.fetch(
            "SELECT audit_id, status, audit_date, credits FROM audits"
            " WHERE audit_id = ANY($1::uuid[])",
            [uuid.UUID(i) for i in known.ids("audit_id")],
        )
    }
    histories = {
        r["audit_id"]: r
        for r in await por.fetch(
            "SELECT audit_id, status, audit_date FROM audits WHERE audit_id = ANY($1::uuid[])",
            list(audits),
        )
    }
    for audit_id, audit in audits.items():
        history = histories.get(audit_id)
        if history is None or (history["status"], history["audit_date"]) != (
            audit["status"],
            audit["audit_date"],
        ):
            broken.append(f"audit {audit_id}: {dict(audit)}; the portfolio has {history}")
    credited = Counter(
        (str(c["staff_id"]), round(c["hours"], 2))
        for a in audits.values()
        for c in _doc(a["credits"]) or []
        if uuid.UUID(str(c["staff_id"])) not in erased
    )
    if credited:
        rows = await por.fetch(
            "SELECT staff_id, hours FROM entries WHERE source = 'audit'"
            " AND (detail->>'audit_id')::uuid = ANY($1::uuid[])",
            [a for a, v in audits.items() if v["status"] == "completed"],
        )
        found = Counter((str(r["staff_id"]), float(r["hours"])) for r in rows)
        if found != credited:
            broken.append(f"audit work credited {dict(credited)}, the portfolio has {dict(found)}")
    return broken
