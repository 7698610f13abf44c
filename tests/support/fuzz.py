"""Hostile HTTP input: a service's own OpenAPI document, turned by schemathesis into requests
against the running service, and what came back checked.

Three kinds of requests, all sent over HTTP to the live service:

- the examples the API declares (``examples=[...]`` on its models), once each;
- schemathesis's coverage cases: for every parameter and body field, the values at and just
  past its bounds, missing required fields, wrong types, unexpected content types;
- random cases from Hypothesis, schema-valid ("positive") and schema-breaking ("negative"),
  operation after operation until the budget is spent.

Random ids almost never name anything, so a request would stop at the first "not found".
Positive cases therefore get, field by field, ids of things that exist (``Known``): seeded
before the run and taken from every successful response during it, so that what one request
makes, a later one cancels, completes, annotates or reserves.

Every route but the public ones needs a bearer token, and a token that gets no further than
403 proves nothing about the handler behind it. So each request is signed by someone who may
use the route on the records it names (``Cast``): the person of the records' board who holds
every role, or the record's owner (the staff member, the leader who reserved, the lead
auditor), or, for the metrics, the operator's client; a field that names who acts is then,
mostly, the caller. A share of the requests (1 in 10) is sent without a token, with a broken
or expired one, or by someone with little or no reach, so that refusals are fuzzed too: those
without a valid token must be refused whatever they ask. Each request takes a fresh token
(a long run outlasts one).
"""

import base64
import itertools
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, CheckContext, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation, BaseSchema

from services.catalogue.api.policy import POLICY as CATALOGUE_POLICY
from services.enrollment.api.policy import POLICY as ENROLLMENT_POLICY
from services.portfolio.api.policy import POLICY as PORTFOLIO_POLICY
from services.shared.identity.access import Policy, Rule
from tests.support import seeds
from tests.support.people import Caller

Operation = APIOperation[Any, Any, Any, Any]
AnyCase = Case[Operation]

# Fields whose value names something; a list under the first key holds the second kind.
ID_FIELDS = frozenset(
    {
        "academy_id",
        "audit_id",
        "board_id",
        "enrollment_id",
        "entry_id",
        "evidence_id",
        "offering_id",
        "programme_id",
        "reservation_id",
        "school_id",
        "secret",
        "session_id",
        "staff_id",
        "year",
    }
)
LIST_ITEMS = {
    "offering_ids": "offering_id",
    "school_ids": "school_id",
    "waiting_list": "enrollment_id",
}
MIX = 0.6
"""The chance that a positive case's id field gets a known id instead of a random one."""
TOGETHER = 0.7
"""The chance that a positive case takes its ids from one record: ids that belong together."""
POOL_SIZE = 300
UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FEED = re.compile(r"/calendar-feeds/([^/?#]+)\.ics$")
"""A calendar feed's address (an answer's `url`) names its secret, the public route's key."""
OWNED = frozenset({"audit_id", "enrollment_id", "entry_id", "evidence_id", "reservation_id"})
"""Records that are someone's: an enrollment, an entry and its evidence are the staff
member's, a reservation the leader's who made it, an audit its team's (the lead's)."""

Record = dict[str, str]
"""Ids that belong together, by kind: an enrollment's own id, its offering, staff member
and board; an entry and its owner; an offering, its academy, board and a session."""


def ids_of(document: Any) -> Record:
    """The ids an object names itself (and one of each list of objects under it)."""
    if not isinstance(document, dict):
        return {}
    record: Record = {}
    for key, value in document.items():
        if key in ID_FIELDS and isinstance(value, str):
            record[key] = value
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for k, v in ids_of(value[0]).items():
                record.setdefault(k, v)
    return record


def objects(document: Any) -> Iterator[dict[str, Any]]:
    if isinstance(document, dict):
        yield document
        for value in document.values():
            yield from objects(value)
    elif isinstance(document, list):
        for item in document:
            yield from objects(item)


@dataclass
class Known:
    """Ids of things that exist: by the field that names them (every id ever seen is kept
    in `seen`; the pool drawn from holds the seeded ones and the latest others), and as
    records of ids that belong together."""

    pool: dict[str, list[str]] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    seeded: set[str] = field(default_factory=set)
    seeding: bool = True
    """While seeding, everything learnt is kept for the whole run."""
    rng: random.Random = field(default_factory=lambda: seeds.seeded("fuzz: known ids"))
    boards: dict[str, str] = field(default_factory=dict)
    """The board each id belongs to, as far as known (the first one learnt stays)."""
    owners: dict[str, str] = field(default_factory=dict)
    """For the records that are someone's (OWNED): whose, by staff id."""

    def person(self, staff_id: str, board: str) -> None:
        """Someone of a board's staff (a person who signs in, or one placed by the board)."""
        self.add("staff_id", staff_id)
        self.boards.setdefault(staff_id, board)

    def school(self, school_id: str, board: str) -> None:
        self.add("school_id", school_id)
        self.boards.setdefault(school_id, board)

    def board_of(self, value: str) -> str | None:
        return self.boards.get(value)

    def owner_of(self, value: str) -> str | None:
        return self.owners.get(value)

    def add(self, kind: str, value: str) -> None:
        if not isinstance(value, str) or kind not in ID_FIELDS:
            return
        seen = self.seen.setdefault(kind, set())
        if value in seen:
            return
        seen.add(value)
        pool = self.pool.setdefault(kind, [])
        pool.append(value)
        if self.seeding:
            self.seeded.add(value)
        if len(pool) > POOL_SIZE:
            # The oldest harvested id makes room; seeded ones stay.
            oldest = next(i for i, v in enumerate(pool) if v not in self.seeded)
            del pool[oldest]

    def learn(self, document: Any, request: Record | None = None) -> None:
        """Every id in an answer, by the field it is under; and, for each object in it, its
        ids together with the ids the request named (the path, the body's own)."""
        self._harvest(document)
        for obj in objects(document):
            record = {**(request or {}), **ids_of(obj)}
            self._belonging(record, obj)
            if len(record) >= 2 and record not in self.records:
                self.records.append(record)
        if len(self.records) > POOL_SIZE:
            oldest = next(
                (i for i, r in enumerate(self.records) if not set(r.values()) <= self.seeded), 0
            )
            del self.records[oldest]

    def _belonging(self, record: Record, obj: dict[str, Any]) -> None:
        """Whose the record's ids are (a reservation its leader's, else its staff
        member's), and of which board: its own, its owner's, or that of an id in it."""
        leader = obj.get("leader_id")
        owner = leader if isinstance(leader, str) else record.get("staff_id")
        board = (
            record.get("board_id")
            or self.boards.get(owner or "")
            or next((self.boards[v] for v in record.values() if v in self.boards), None)
        )
        for kind, value in record.items():
            if owner is not None and kind in OWNED:
                self.owners.setdefault(value, owner)
            if board is not None and kind != "year":
                self.boards.setdefault(value, board)

    def _harvest(self, document: Any, key: str | None = None) -> None:
        if isinstance(document, dict):
            for k, v in document.items():
                self._harvest(v, k)
        elif isinstance(document, list):
            for item in document:
                self._harvest(item, LIST_ITEMS.get(key or "", key))
        elif key == "url" and isinstance(document, str) and (feed := FEED.search(document)):
            self.add("secret", feed.group(1))
        elif key is not None and isinstance(document, str):
            self.add(key, document)

    def ids(self, kind: str) -> set[str]:
        return self.seen.get(kind, set())

    def choose(self, items: list[Any], seeded: Callable[[Any], bool]) -> Any:
        # Half the time a seeded one: those fit together (a board's staff, its offerings).
        own = [i for i in items if seeded(i)]
        return self.rng.choice(own if own and self.rng.random() < 0.5 else items)

    def record(self) -> Record:
        """Ids that belong together, or none (then each field is mixed on its own)."""
        if not self.records or self.rng.random() >= TOGETHER:
            return {}
        record: Record = self.choose(self.records, lambda r: set(r.values()) <= self.seeded)
        return record

    def mix(self, value: Any, record: Record, key: str | None = None) -> Any:
        """The value with, at random, known ids in place of generated ones."""
        if isinstance(value, dict):
            return {k: self.mix(v, record, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mix(v, record, LIST_ITEMS.get(key or "", key)) for v in value]
        if not isinstance(value, str) or key is None:
            return value
        if key in record and self.rng.random() < 0.9:
            return record[key]
        pool = self.pool.get(key)
        if not pool or self.rng.random() >= MIX:
            return value
        return self.choose(pool, lambda v: v in self.seeded)


def content_type_conformance_but_json_errors(
    ctx: CheckContext, response: schemathesis.Response, case: AnyCase
) -> bool | None:
    """content_type_conformance, except that a refusal ({"detail": ...}) is JSON also on a
    route that answers HTML, a PDF or a calendar: FastAPI documents the app-wide error
    answers with the route's own media type."""
    if response.status_code >= 400 and _json_detail(response):
        return None
    return content_type_conformance(ctx, response, case)  # type: ignore[no-any-return]


def _json_detail(response: schemathesis.Response) -> bool:
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return False
    try:
        return "detail" in response.json()
    except ValueError:
        return False


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance_but_json_errors,
    response_headers_conformance,
]
"""What every response must pass. Left out, on purpose:
- status_code_conformance: every route declares 401, 403, 404, 409, 413, 422 and 503
  (services/shared/http.py), but FastAPI's own answers before a route runs are not: 405 to
  another method (a coverage case), 400 to a body it cannot parse;
- negative_data_rejection: FastAPI validates in pydantic's lax mode, which accepts "5" for
  5, "yes" for true and 0 for the date 1970-01-01; a coerced value still meets every bound
  and rule, which the database checks after the run confirm;
- positive_data_acceptance: a request the schema allows may still break a rule the schema
  cannot express (a session ending before it starts); a 4xx is the right answer there."""


@dataclass
class Budget:
    """How many requests, at least, one service gets."""

    requests: int
    coverage: int
    """Of which coverage cases, at most (there are about 1,000 per service)."""
    positive_share: float = 0.7
    """Of the random cases."""


# Who signs each request.

Headers = dict[str, str]

POLICIES: dict[str, Policy] = {
    "catalogue": CATALOGUE_POLICY,
    "enrollment": ENROLLMENT_POLICY,
    "portfolio": PORTFOLIO_POLICY,
}
EVERY_ROLE, OWNER, OPERATOR, PUBLIC = "every role", "owner", "operator", "no token needed"
AUTHORISED = (EVERY_ROLE, OWNER, OPERATOR)
"""The kinds of caller who may use the route they are sent to, on the records it names."""
OWNER_FIRST = 0.7
"""The chance that a record's owner signs a request about it, when the route admits both."""

ME, MY_BOARD, MY_OWN_BOARD = "me", "my board", "my own board"
ACTING: dict[str, dict[str, str]] = {
    "POST /enrollments": {"staff_id": ME, "board_id": MY_BOARD},
    "POST /teams/enrollments": {"leader_id": ME, "board_id": MY_BOARD},
    "POST /offerings/{offering_id}/reservations": {"leader_id": ME, "board_id": MY_BOARD},
    "POST /enrollments/{enrollment_id}/approve": {"approver_id": ME},
    "POST /enrollments/{enrollment_id}/decline": {"approver_id": ME},
    "POST /staff/{staff_id}/entries/{entry_id}/notes": {"leader_id": ME},
    "POST /schools/{school_id}/audits/{audit_id}/follow-ups": {"recorded_by": ME},
    "PUT /staff/{staff_id}/profile": {"board_id": MY_OWN_BOARD},
}
"""Body fields, by operation, that name who acts: the caller or their board, and (but for
MY_OWN_BOARD, which the body must give) may be left out for the token to say."""
AS_CALLER, LEFT_OUT = 0.8, 0.1
"""How a positive case's acting field is sent: the caller's, left out, else as generated
(someone else, whom the services must refuse with 403)."""

UPLOADS = frozenset({"POST /staff/{staff_id}/entries/{entry_id}/evidence"})
"""Operations whose body carries a file: its media type, its content in base64."""
REAL_FILE = 0.5
"""The chance that a positive case of an upload is given a real file of an allowed type:
generated, the content is almost never of the declared type (uploads.py refuses it)."""
FILES: dict[str, bytes] = {
    "text/plain": "Verslag van de studiedag: lezen in groep 3, één keer per week.\n".encode(),
    "image/png": bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63600000020001050000000049454e44ae426082"
    ),
    "application/pdf": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
}
"""Evidence of an allowed media type whose content is what it says (uploads.py checks)."""


def admits(rule: Rule, caller: Caller) -> bool:
    return any(role in caller.roles for role in rule)


@dataclass(frozen=True)
class Refusal:
    """Someone the services must not let through as far as a handler: how their request is
    signed (fresh each time), and what a guarded route must answer them (empty: anything,
    for a signed-in person whose little reach the routes themselves check)."""

    headers: Callable[[], Headers]
    answers: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Cast:
    """Who sends the requests."""

    everyone: Mapping[str, Caller]
    """By board: a person of the board with every role (and its schools and academies)."""
    people: Mapping[str, Caller]
    """By staff id: everyone of the seeded world who signs in, each the owner of their own
    records."""
    operator: Caller
    """The operator's monitoring client: the metrics."""
    refusals: Mapping[str, Refusal]
    refused_share: float = 0.1


@dataclass
class Report:
    service: str
    sent: Counter[str] = field(default_factory=Counter)
    by_phase: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, int]] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Why commands were refused, as the services said it (the rules the run reached)."""
    callers: Counter[str] = field(default_factory=Counter)
    """Requests by kind of caller (AUTHORISED, PUBLIC, or a refusal's name)."""
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    """What each kind of caller got: 2xx, 401, 403, "404 out of reach" (the answer for a
    record outside the caller's reach: the same as for no record at all, "not found"),
    UNPARSED, or the status of any other answer (a business 404, 409, 422...)."""
    slipped: list[str] = field(default_factory=list)
    """Requests of a refusal on a guarded route that got another answer than the gate's."""
    failures: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    no_invalid_input: set[str] = field(default_factory=set)
    """Operations for which no schema-breaking request exists (no parameters, no body)."""
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    @property
    def authorised(self) -> int:
        return sum(self.callers[kind] for kind in AUTHORISED)

    @property
    def checked(self) -> int:
        """The authorised requests that came to the access checks (not those answered
        before: another method than the route's, a body that could not be read)."""
        return sum(
            n
            for (kind, answer), n in self.answers.items()
            if kind in AUTHORISED and answer not in BEFORE_THE_GATE
        )

    @property
    def stopped(self) -> int:
        """Of the authorised requests, those refused by the access checks."""
        return sum(
            n
            for (kind, answer), n in self.answers.items()
            if kind in AUTHORISED and refusal(answer)
        )

    @property
    def past_the_gate(self) -> float:
        """The share of the checked authorised requests that the access checks let through."""
        return (self.checked - self.stopped) / self.checked if self.checked else 0.0

    def fail(self, operation: str, problem: str, detail: str) -> None:
        found = self.failures.setdefault((operation, problem), [])
        if len(found) < 3:
            found.append(detail)

    def summary(self) -> str:
        lines = [
            f"{self.service}: {self.total} requests in {self.seconds:.1f} s"
            f" ({dict(self.by_phase)}); statuses {dict(sorted(self.statuses.items()))}",
            f"  authorised {self.authorised}, of which {self.checked} came to the access checks"
            f" and {self.checked - self.stopped} got past them ({self.past_the_gate:.0%});"
            " by caller:",
        ]
        for kind, n in self.callers.most_common():
            got = {a: m for (k, a), m in sorted(self.answers.items()) if k == kind}
            lines.append(f"    {kind}: {n} {got}")
        lines += [f"  slipped past the gate: {s}" for s in self.slipped[:10]]
        for (operation, problem), details in self.failures.items():
            lines.append(f"\n== {operation}: {problem}")
            lines.extend(details)
        return "\n".join(lines)

    def details(self) -> str:
        """Per operation what came back, and the rules the services refused requests by."""
        by_operation: dict[str, dict[int, int]] = {}
        for (operation, status), n in sorted(self.outcomes.items()):
            by_operation.setdefault(operation, {})[status] = n
        lines = [f"  {operation}: {statuses}" for operation, statuses in by_operation.items()]
        lines += [
            f"  {n:4} x {operation}: {why}" for (operation, why), n in sorted(self.reasons.items())
        ]
        if self.no_invalid_input:
            lines.append(f"  no invalid input exists for {sorted(self.no_invalid_input)}")
        return "\n".join(lines)


ACCESS_ANSWERS = frozenset({"401", "403", "404 out of reach"})
OUT_OF_REACH = "not found"
"""The detail of a 404 for a record outside the caller's reach (identity/http.py); a
business 404 names what it did not find."""
UNPARSED = "body unparsed"
"""A body that is not what its content type says (not JSON, say): FastAPI refuses it (400,
or 422 json_invalid) as it reads it, before any dependency runs, the token check too."""
BEFORE_THE_GATE = frozenset({"405", UNPARSED})
"""Answers given before the access checks: another method than the route's, or UNPARSED."""


def refusal(answer: str) -> bool:
    return answer in ACCESS_ANSWERS


def answer_of(response: schemathesis.Response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return "2xx"
    detail = _detail(response)
    if status == 404 and detail == OUT_OF_REACH:
        return "404 out of reach"
    if (status == 400 and detail == "There was an error parsing the body") or (
        status == 422
        and isinstance(detail, list)
        and any(isinstance(e, dict) and e.get("type") == "json_invalid" for e in detail)
    ):
        return UNPARSED
    return str(status)


def _detail(response: schemathesis.Response) -> Any:
    try:
        document = response.json()
    except ValueError:
        return None
    return document.get("detail") if isinstance(document, dict) else None


def _streams(operation: Operation) -> bool:
    """A stream of server-sent events (the portfolio's changes) answers for minutes: a
    fuzzer waiting for its end would spend its time there. Its refusals and its rule are
    tried by the access matrix (tests/e2e/test_access_matrix.py), which reads the status
    and lets go."""
    served = operation.definition.raw.get("responses", {}).get("200", {})
    return "text/event-stream" in served.get("content", {})


class Fuzzer:
    def __init__(self, service: str, base_url: str, known: Known, cast: Cast) -> None:
        self.schema: BaseSchema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
        self.known = known
        self.cast = cast
        self.policy = POLICIES[service]
        self.report = Report(service)
        self.http = requests.Session()
        self.rng = seeds.seeded(f"fuzz: {service}")
        refusals = sorted(cast.refusals)
        self.rng.shuffle(refusals)
        self._refusals = itertools.cycle(refusals)  # each in turn: every kind is sent
        self.operations: list[Operation] = []
        for result in self.schema.get_all_operations():
            if not isinstance(result, Ok):
                raise AssertionError(f"{service}: an operation schemathesis cannot read: {result}")
            if not _streams(result.ok()):
                self.operations.append(result.ok())

    def run(self, budget: Budget) -> Report:
        started = time.monotonic()
        self._examples()
        self._coverage(budget.coverage)
        for _ in range(5):  # operations with few possible inputs finish early; go round again
            missing = budget.requests - self.report.total
            if missing <= 0:
                break
            self._random(missing, budget.positive_share)
        self.report.seconds = time.monotonic() - started
        return self.report

    def send(self, case: AnyCase, phase: str) -> None:
        positive = case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE
        if positive:
            # Known ids in place of random ones; a negative case stays as broken as it was.
            record = self.known.record()
            case.path_parameters = self.known.mix(case.path_parameters, record)
            case.query = self.known.mix(case.query, record)
            if isinstance(case.body, dict | list):
                case.body = self._real_file(case.operation.label, self.known.mix(case.body, record))
        kind, headers, guarded = self._sign(case, positive)
        label = case.operation.label
        try:
            response = case.call(session=self.http, headers=headers, timeout=60)
        except requests.RequestException as e:
            self.report.fail(label, "no response", f"{e!r}\n{case.as_curl_command()}")
            return
        self.report.sent[label] += 1
        self.report.by_phase[phase] += 1
        self.report.statuses[response.status_code] += 1
        self.report.outcomes[label, response.status_code] += 1
        answer = answer_of(response)
        self.report.callers[kind] += 1
        self.report.answers[kind, answer] += 1
        expected = self.cast.refusals[kind].answers if kind in self.cast.refusals else None
        if guarded and expected and response.status_code not in expected and answer != UNPARSED:
            self.report.slipped.append(f"{kind}: {label} got {response.status_code}")
        try:
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, Failure) as e:
            failures = e.exceptions if isinstance(e, FailureGroup) else (e,)
            for failure in failures:
                self.report.fail(label, failure.title, str(e))
        content_type = response.headers.get("content-type", [])
        if not any("json" in v for v in content_type):
            return
        try:
            document = response.json()
        except ValueError:
            self.report.fail(label, "not JSON", f"{response.content[:200]!r}")
            return
        if 200 <= response.status_code < 300:
            self.known.learn(document, {**ids_of(case.body), **ids_of(case.path_parameters)})
        elif isinstance(document, dict) and isinstance(document.get("detail"), str):
            self.report.reasons[label, UUIDS.sub("<id>", document["detail"])[:80]] += 1

    def _sign(self, case: AnyCase, positive: bool) -> tuple[str, Headers, bool]:
        """Who sends the case (a kind of caller), with what headers, and whether it goes to
        a guarded route. An authorised caller of a positive case acts as themself."""
        method = case.operation.method.upper()
        rule = self.policy.rule(method, case.operation.path)
        if rule is None:  # public (a calendar feed), or no service route (/health)
            return PUBLIC, {}, False
        # A coverage case may send another method, which no route of the path takes (405).
        guarded = case.method.upper() == method
        if self.rng.random() < self.cast.refused_share:
            kind = next(self._refusals)
            return kind, self.cast.refusals[kind].headers(), guarded
        kind, caller = self._authorised(case, rule)
        if positive:
            self._act(case, caller)
        return kind, caller.headers, guarded

    def _authorised(self, case: AnyCase, rule: Rule) -> tuple[str, Caller]:
        """The owner of a record the case names, or the person with every role of the board
        the named records belong to, or the operator: whoever the route admits."""
        named = list(self._named(case))
        boards = [b for v in named if (b := self.known.board_of(v)) and b in self.cast.everyone]
        board = boards[0] if boards else self.rng.choice(sorted(self.cast.everyone))
        everyone = self.cast.everyone[board]
        owners: list[Caller] = []
        for value in named:
            who = value if value in self.cast.people else self.known.owner_of(value)
            owner = self.cast.people.get(who) if who is not None else None
            if owner is not None and admits(rule, owner):
                owners.append(owner)
        if owners and (not admits(rule, everyone) or self.rng.random() < OWNER_FIRST):
            return OWNER, owners[0]
        if not admits(rule, everyone) and admits(rule, self.cast.operator):
            return OPERATOR, self.cast.operator
        return EVERY_ROLE, everyone

    def _named(self, case: AnyCase) -> Iterator[str]:
        """The ids a case names, the record it touches first: its path, then its body's
        board, its body's other ids, its query."""
        body = case.body if isinstance(case.body, dict) else {}
        for value in (
            *(case.path_parameters or {}).values(),
            body.get("board_id"),
            *ids_of(body).values(),
            *(case.query or {}).values(),
        ):
            if isinstance(value, str):
                yield value

    def _act(self, case: AnyCase, caller: Caller) -> None:
        fields = ACTING.get(case.operation.label)
        if not fields or not isinstance(case.body, dict):
            return
        for name, what in fields.items():
            draw = self.rng.random()
            if draw < AS_CALLER:
                case.body[name] = caller.id if what == ME else caller.board
            elif draw < AS_CALLER + LEFT_OUT and what != MY_OWN_BOARD:
                case.body.pop(name, None)

    def _real_file(self, label: str, body: Any) -> Any:
        """Now and then the body of an upload given a real file of an allowed type, alone
        (evidence is a link or a file)."""
        if label not in UPLOADS or not isinstance(body, dict) or self.rng.random() >= REAL_FILE:
            return body
        media_type = self.rng.choice(sorted(FILES))
        given = body.get("file")
        file = {
            "name": given.get("name", "bewijs") if isinstance(given, dict) else "bewijs",
            "media_type": media_type,
            "content_base64": base64.b64encode(FILES[media_type]).decode(),
        }
        return {**{k: v for k, v in body.items() if k != "link"}, "file": file}

    def _examples(self) -> None:
        for operation in self.operations:
            for strategy in operation.get_strategies_from_examples():
                self._each(operation, strategy, 1, "examples")

    def _coverage(self, at_most: int) -> None:
        cases = [case for operation in self.operations for case in self._coverage_cases(operation)]
        for case in self.rng.sample(cases, min(at_most, len(cases))):
            self.send(case, "coverage")

    def _coverage_cases(self, operation: Operation) -> Iterator[AnyCase]:
        return self.schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=self.schema.config.generation_for(
                operation=operation, phase="coverage"
            ),
        )

    def _random(self, requests_wanted: int, positive_share: float) -> None:
        per_operation = requests_wanted / len(self.operations)
        for operation in self.operations:
            for mode, share in (
                (GenerationMode.POSITIVE, positive_share),
                (GenerationMode.NEGATIVE, 1 - positive_share),
            ):
                if mode is GenerationMode.NEGATIVE and not _takes_input(operation):
                    # Nothing to break (GET /health): its positive case is all there is.
                    self.report.no_invalid_input.add(operation.label)
                    continue
                examples = max(1, math.ceil(per_operation * share))
                strategy = operation.as_strategy(generation_mode=mode)
                self._each(operation, strategy, examples, f"random {mode.value}")

    def _each(self, operation: Operation, strategy: Any, examples: int, phase: str) -> None:
        # Hypothesis draws from the run's seed too: HUISACADEMIE_SEED replays a run's cases.
        @seed(self.rng.randrange(2**32))
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,  # nothing written to .hypothesis/
            phases=[Phase.generate],  # no shrinking: a failure is kept, with its curl command
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(case=strategy)
        def each(case: AnyCase) -> None:
            self.send(case, phase)

        try:
            each()
        except Unsatisfiable:
            if phase != f"random {GenerationMode.NEGATIVE.value}":
                raise
            # Nothing breaks its schema (a path parameter that is any string: a secret).
            self.report.no_invalid_input.add(operation.label)


def _takes_input(operation: Operation) -> bool:
    containers: Iterable[Any] = (
        operation.path_parameters,
        operation.query,
        operation.headers,
        operation.body,
    )
    return any(len(list(c)) for c in containers)


def fuzz(service: str, base_url: str, known: Known, cast: Cast, budget: Budget) -> Report:
    return Fuzzer(service, base_url, known, cast).run(budget)
