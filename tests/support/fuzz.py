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
"""

import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
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

from tests.support import seeds

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
            if len(record) >= 2 and record not in self.records:
                self.records.append(record)
        if len(self.records) > POOL_SIZE:
            oldest = next(
                (i for i, r in enumerate(self.records) if not set(r.values()) <= self.seeded), 0
            )
            del self.records[oldest]

    def _harvest(self, document: Any, key: str | None = None) -> None:
        if isinstance(document, dict):
            for k, v in document.items():
                self._harvest(v, k)
        elif isinstance(document, list):
            for item in document:
                self._harvest(item, LIST_ITEMS.get(key or "", key))
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
- status_code_conformance: the services answer 404 and 409 (and /health 503) without
  declaring them; a declaration belongs in services/shared/http.py, for every route;
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


@dataclass
class Report:
    service: str
    sent: Counter[str] = field(default_factory=Counter)
    by_phase: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, int]] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Why commands were refused, as the services said it (the rules the run reached)."""
    failures: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    no_invalid_input: set[str] = field(default_factory=set)
    """Operations for which no schema-breaking request exists (no parameters, no body)."""
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def fail(self, operation: str, problem: str, detail: str) -> None:
        found = self.failures.setdefault((operation, problem), [])
        if len(found) < 3:
            found.append(detail)

    def summary(self) -> str:
        lines = [
            f"{self.service}: {self.total} requests in {self.seconds:.1f} s"
            f" ({dict(self.by_phase)}); statuses {dict(sorted(self.statuses.items()))}"
        ]
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


class Fuzzer:
    def __init__(self, service: str, base_url: str, known: Known) -> None:
        self.schema: BaseSchema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
        self.known = known
        self.report = Report(service)
        self.http = requests.Session()
        self.rng = seeds.seeded(f"fuzz: {service}")
        self.operations: list[Operation] = []
        for result in self.schema.get_all_operations():
            if not isinstance(result, Ok):
                raise AssertionError(f"{service}: an operation schemathesis cannot read: {result}")
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
                case.body = self.known.mix(case.body, record)
        label = case.operation.label
        try:
            response = case.call(session=self.http, timeout=60)
        except requests.RequestException as e:
            self.report.fail(label, "no response", f"{e!r}\n{case.as_curl_command()}")
            return
        self.report.sent[label] += 1
        self.report.by_phase[phase] += 1
        self.report.statuses[response.status_code] += 1
        self.report.outcomes[label, response.status_code] += 1
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

        each()


def _takes_input(operation: Operation) -> bool:
    containers: Iterable[Any] = (
        operation.path_parameters,
        operation.query,
        operation.headers,
        operation.body,
    )
    return any(len(list(c)) for c in containers)


def fuzz(service: str, base_url: str, known: Known, budget: Budget) -> Report:
    return Fuzzer(service, base_url, known).run(budget)
