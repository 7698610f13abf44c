"""One trace follows a completion from the enrollment API to the portfolio's write: the
enrollment and portfolio processes, restarted with OTEL_EXPORTER_OTLP_ENDPOINT set, export
their spans to a real OTLP/HTTP receiver this test owns. The trace goes from enrollment's
HTTP server span through the outbox, the relay's publishing to Kafka (`ce_traceparent`)
and the portfolio consumer's span to the portfolio's query under it, one parent after
another."""

import json
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from contracts.enrollment import Completed
from huisacademie import stack
from huisacademie.demo import Endpoints, wait_for
from huisacademie.demo.scenario import sessions
from huisacademie.system import System
from services.shared.clock import dutch_today
from tests.support.otlp import OtlpReceiver, Received
from tests.support.people import People

pytestmark = pytest.mark.e2e

TRACED = ("enrollment", "portfolio")
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5
"""OTLP's span kinds."""


@pytest.fixture(scope="module")
def receiver(system: System) -> Iterator[OtlpReceiver]:
    """The receiver, and enrollment and portfolio exporting to it (restarted on their own
    ports and databases, spans sent every 100 ms); as they were again afterwards."""
    traced = OtlpReceiver()
    otel = {"OTEL_EXPORTER_OTLP_ENDPOINT": traced.url, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with traced:
        for name in TRACED:
            stack.stop_process(name, system.layout)
            env = {**system.process_env(name), **otel}
            argv = [sys.executable, "-m", "huisacademie", "serve", name]
            stack.start_process(name, argv, system.layout, env=env)
        try:
            for name in TRACED:
                system.wait_ready(name, 90)
            yield traced
        finally:
            for name in TRACED:
                stack.stop_process(name, system.layout)
                system.start_service(name)
            for name in TRACED:
                system.wait_ready(name, 90)


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def _completion_trace(receiver: OtlpReceiver) -> list[Received] | None:
    """The spans of the completion's trace, once the portfolio's query under its consumer
    span has arrived."""
    spans = receiver.spans()
    requests = [
        s
        for s in spans
        if (s.service, s.kind) == ("enrollment", SERVER) and s.name.endswith("/complete")
    ]
    if not requests:
        return None
    trace = [s for s in spans if s.trace_id == requests[-1].trace_id]
    applied = {s.span_id for s in trace if (s.service, s.kind) == ("portfolio", CONSUMER)}
    written = any(s.kind == CLIENT and s.parent_id in applied for s in trace)
    return trace if written else None


def test_one_trace_spans_a_completion_from_the_enrollment_api_to_the_portfolio_write(
    receiver: OtlpReceiver, endpoints: Endpoints, people: People, system: System
) -> None:
    board = str(uuid.uuid4())
    board_admin = people.board_admin(board)
    academy = ok(
        httpx.post(
            f"{endpoints.catalogue}/academies",
            json={"name": "Academie Oost", "board_id": board},
            headers=board_admin.headers,
        )
    )
    admin = people.academy_admin(board, academy["academy_id"])
    offering = ok(
        httpx.post(
            f"{endpoints.catalogue}/offerings",
            json={
                "academy_id": academy["academy_id"],
                "title": "Formatief handelen",
                "kind": "course",
                "study_hours": 6,
                "sessions": sessions(dutch_today() + timedelta(days=30)),
                "domains": ["pedagogy"],
            },
            headers=admin.headers,
        )
    )
    known = f"{endpoints.enrollment}/offerings/{offering['offering_id']}"
    wait_for("enrollment", lambda: httpx.get(known, headers=admin.headers).is_success)
    me = people.staff(board)
    made = ok(
        httpx.post(
            f"{endpoints.enrollment}/enrollments",
            json={"role": "teacher", "offering_id": offering["offering_id"]},
            headers=me.headers,
        )
    )
    dossier = f"{endpoints.portfolio}/staff/{me.id}/portfolio"

    def entry(status: str) -> bool:
        entries = ok(httpx.get(dossier, headers=me.headers))["entries"]
        return bool(entries) and entries[0]["status"] == status

    # The enrolment applied first, so that the completion is a poll of its own.
    wait_for("the enrolment in the portfolio", lambda: entry("enrolled"))
    ok(
        httpx.post(
            f"{endpoints.enrollment}/enrollments/{made['enrollment_id']}/complete",
            json={"reason": "alle bijeenkomsten bijgewoond"},
            headers=admin.headers,
        )
    )
    wait_for("the completion in the portfolio", lambda: entry("completed"))

    trace = wait_for("the completion's spans", lambda: _completion_trace(receiver))
    spans = {s.span_id: s for s in trace}
    query = next(
        s for s in trace if s.kind == CLIENT and spans.get(s.parent_id, s).kind == CONSUMER
    )
    applied = spans[query.parent_id]
    assert (query.service, applied.service) == ("portfolio", "portfolio")
    assert applied.name == "process enrollment.enrollments"
    assert query.attributes.get("db.system.name", query.attributes.get("db.system")) == (
        "postgresql"
    )
    chain = [query]
    while chain[-1].parent_id in spans:
        chain.append(spans[chain[-1].parent_id])
    path = [(s.service, s.kind, s.name) for s in chain]
    request = chain[-1]
    assert (request.service, request.kind) == ("enrollment", SERVER), path
    assert request.name == "POST /enrollments/{enrollment_id}/complete", path
    assert request.parent_id == "", path  # the trace begins with the request
    published = next(s for s in chain if s.kind == PRODUCER)
    assert published.service == "enrollment", path
    assert published.name == "send enrollment.enrollments", path
    assert published.attributes["cloudevents.event_type"] == Completed.ce_type
    assert chain.index(published) == chain.index(applied) + 1, path
    stored = chain[chain.index(published) + 1]
    assert (stored.service, stored.name) == ("enrollment", "outbox put"), path

    # The request's log line names its trace.
    completing = f"POST /enrollments/{made['enrollment_id']}/complete"
    log = (system.layout.logs_dir / "enrollment.log").read_text().splitlines()
    lines = [json.loads(line) for line in log if completing in line]
    assert [line.get("trace_id") for line in lines] == [request.trace_id]
