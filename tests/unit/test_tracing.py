"""Traces: the trace context from a unit of work's span, through the outbox row and the
relay's headers (`ce_traceparent`), to the consumer's span; what tracing costs while it is
off (nothing recorded, a context passed on); the trace and event ids on log lines. Spans are
made by the OpenTelemetry SDK and kept in memory (no exporter, no I/O)."""

import json
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import SpanKind

from contracts import Envelope, Event
from contracts.envelope import decode
from services.shared import telemetry
from services.shared.consumer.adapter import handling
from services.shared.logging import EventIds, add_trace_ids
from tests.support.factories import enrolled

pytestmark = pytest.mark.unit

SOURCE = "/huisacademie/enrollment"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Tracing on, as `telemetry.start` sets it up, but kept in memory: the process's global
    provider stays unset for the other tests."""
    provider = TracerProvider(sampler=telemetry.QueriesInTraces(ALWAYS_ON))
    exported = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    monkeypatch.setattr(telemetry, "TRACER", provider.get_tracer("huisacademie"))
    yield exported
    provider.shutdown()


def relayed(envelope: Envelope[Event], stored: tuple[str | None, str | None]) -> Envelope[Event]:
    """The envelope as a consumer reads it after the relay published its outbox row, stored
    with the trace context `stored`."""
    headers = envelope.headers()
    with telemetry.Sending() as sending:
        sending.row(1, envelope.data.topic, *stored, headers)
    return decode(headers, envelope.body())


def by_name(spans: tuple[ReadableSpan, ...]) -> dict[str, ReadableSpan]:
    return {s.name: s for s in spans}


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def test_one_trace_from_the_request_through_the_outbox_and_kafka_to_the_consumer(
    spans: InMemorySpanExporter,
) -> None:
    envelope = Envelope[Event].new(enrolled(), SOURCE)
    with (
        telemetry.TRACER.start_as_current_span("POST /enrollments", kind=SpanKind.SERVER),
        telemetry.storing(1) as stored,
    ):
        pass
    read = relayed(envelope, stored)
    with (
        telemetry.applying("portfolio.enrollments", [read]),
        telemetry.TRACER.start_as_current_span("INSERT", kind=SpanKind.CLIENT),
    ):
        pass

    made = by_name(spans.get_finished_spans())
    request, put = made["POST /enrollments"], made["outbox put"]
    send, process = made["send enrollment.enrollments"], made["process enrollment.enrollments"]
    query = made["INSERT"]
    assert len({s.context.trace_id for s in made.values()}) == 1
    assert parent_of(put) == request.context.span_id
    assert parent_of(send) == put.context.span_id
    assert parent_of(process) == send.context.span_id
    assert parent_of(query) == process.context.span_id
    assert (send.kind, process.kind) == (SpanKind.PRODUCER, SpanKind.CONSUMER)
    assert read.traceparent is not None
    assert read.traceparent.startswith(
        f"00-{send.context.trace_id:032x}-{send.context.span_id:016x}-"
    )
    assert process.attributes is not None
    assert process.attributes["cloudevents.event_id"] == str(envelope.id)
    assert process.attributes["messaging.consumer.group.name"] == "portfolio.enrollments"


def test_a_batch_continues_its_first_trace_and_links_the_others(
    spans: InMemorySpanExporter,
) -> None:
    traces = []
    for name in ("first", "second"):
        with telemetry.TRACER.start_as_current_span(name), telemetry.storing(1) as stored:
            traces.append(relayed(Envelope.new(enrolled(), SOURCE), stored))
    untraced = relayed(Envelope.new(enrolled(), SOURCE), (None, None))
    assert untraced.traceparent is None

    with telemetry.applying("portfolio.enrollments", [untraced, *traces]):
        pass

    made = by_name(spans.get_finished_spans())
    process = made["process enrollment.enrollments"]
    assert process.context.trace_id == made["first"].context.trace_id
    assert [link.context.trace_id for link in process.links] == [made["second"].context.trace_id]
    assert process.attributes is not None
    assert process.attributes["messaging.batch.message_count"] == 3


def test_a_failure_marks_the_span_by_its_kind_only(spans: InMemorySpanExporter) -> None:
    read = relayed(Envelope.new(enrolled(), SOURCE), (None, None))
    with (
        pytest.raises(ValueError, match="Jansen"),
        telemetry.applying("portfolio.enrollments", [read]),
    ):
        raise ValueError("no seat for Jansen")

    (process,) = spans.get_finished_spans()
    assert process.status.description == "ValueError"
    assert process.events == ()  # no exception event: its text stays in the service


def test_queries_are_recorded_only_within_a_trace(spans: InMemorySpanExporter) -> None:
    query = {"db.system": "postgresql"}
    lone = telemetry.TRACER.start_span("SELECT", kind=SpanKind.CLIENT, attributes=query)
    with telemetry.TRACER.start_as_current_span("process"):
        within = telemetry.TRACER.start_span("SELECT", kind=SpanKind.CLIENT, attributes=query)
    assert (lone.is_recording(), within.is_recording()) == (False, True)


def test_while_tracing_is_off_nothing_is_recorded_and_a_trace_goes_on() -> None:
    """The API's own tracer (no provider set): a request makes no trace context to store, and
    an event's goes on to the events its handling leads to, unchanged."""
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    with telemetry.storing(1) as stored:
        assert stored == (None, None)
    upstream = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    read = relayed(Envelope.new(enrolled(), SOURCE), (upstream, "vendor=x"))
    assert (read.traceparent, read.tracestate) == (upstream, "vendor=x")
    with telemetry.applying("portfolio.enrollments", [read]) as span:
        assert not span.is_recording()
        with telemetry.storing(1) as onwards:
            assert onwards == (upstream, "vendor=x")


def test_log_lines_carry_the_trace_they_are_logged_in(spans: InMemorySpanExporter) -> None:
    assert add_trace_ids(None, "info", {"event": "outside"}) == {"event": "outside"}
    with telemetry.TRACER.start_as_current_span("process") as span:
        line = add_trace_ids(None, "info", {"event": "inside"})
    context = span.get_span_context()
    assert line["trace_id"] == f"{context.trace_id:032x}"
    assert line["span_id"] == f"{context.span_id:016x}"


def test_an_events_handling_puts_its_id_and_trace_on_every_log_line(
    spans: InMemorySpanExporter,
) -> None:
    with (
        telemetry.TRACER.start_as_current_span("POST /enrollments") as request,
        telemetry.storing(1) as stored,
    ):
        pass
    one, other = (relayed(Envelope[Event].new(enrolled(), SOURCE), stored) for _ in range(2))

    def logged() -> MutableMapping[str, Any]:
        line = structlog.contextvars.merge_contextvars(None, "info", {"event": "event_failed"})
        return add_trace_ids(None, "info", line)

    with handling("portfolio.enrollments", [one]):
        line = logged()
    assert line["event_id"] == str(one.id)
    assert line["trace_id"] == f"{request.get_span_context().trace_id:032x}"
    with handling("portfolio.enrollments", [one, other]):
        line = logged()
    assert isinstance(line["event_ids"], EventIds)
    assert line["event_ids"].__structlog__() == [str(one.id), str(other.id)]
    assert "event_id" not in logged()


def test_a_batch_logs_its_event_ids_as_text() -> None:
    envelopes = [Envelope[Event].new(enrolled(), SOURCE) for _ in range(2)]
    rendered = structlog.processors.JSONRenderer()(
        None, "info", {"event": "batch_retried_one_by_one", "event_ids": EventIds(envelopes)}
    )
    assert json.loads(str(rendered))["event_ids"] == [str(e.id) for e in envelopes]


@pytest.mark.parametrize(
    ("env", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
    ],
)
def test_traces_are_off_unless_an_endpoint_is_set(env: dict[str, str], on: bool) -> None:
    assert telemetry.configured(env) is on
