"""Traces across the services (OpenTelemetry): one trace follows a request from its HTTP call
through the outbox, Kafka and every consumer that applies its events.

The trace context travels as W3C Trace Context: in HTTP headers (`traceparent`), in the
outbox rows a unit of work writes (columns `traceparent` and `tracestate`), and in each
Kafka record as the CloudEvents distributed-tracing extension (`ce_traceparent`,
`ce_tracestate`).

Off unless an OTLP endpoint is set (`configured`): no tracer provider is set, so FastAPI
makes no spans (its native telemetry waits for one), queries are not wrapped, and the spans
made here are the API's non-recording ones: they record and export nothing, and only carry a
trace context that came with an event on to the events that follow from it. On (`start`): a
tracer provider named after the service exports in batches over OTLP (HTTP/protobuf; the
standard OTEL_* variables apply), FastAPI makes a span per request, and every query made
within a trace gets a span.
"""

import asyncio
import os
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import INVALID_SPAN, Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import AttributeValue

from contracts import Envelope, Event

TRACER = trace.get_tracer("huisacademie")
"""Makes the spans of this package: a proxy of the process's provider once `start` set one."""
MAX_LINKS = 128
"""Links a batch's span keeps to the traces of its other events (the SDK's default limit)."""
_W3C = TraceContextTextMapPropagator()
_KAFKA: dict[str, AttributeValue] = {"messaging.system": "kafka"}


def configured(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT
    or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), not turned off by OTEL_SDK_DISABLED=true or
    OTEL_TRACES_EXPORTER=none."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    return bool(endpoint)


async def flush(timeout_s: float = 5.0) -> None:
    """Export the spans still held, when the service stops (if it traces)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        await asyncio.to_thread(provider.force_flush, int(timeout_s * 1000))


def unwatched(scope: MutableMapping[str, Any]) -> bool:
    """The requests FastAPI makes no span for: health checks and metric scrapes, every few
    seconds of every instance."""
    path = str(scope.get("path", ""))
    return path.startswith("/health") or path == "/metrics"


class Tracing:
    """A process's traces, once started."""

    def __init__(self, provider: TracerProvider, queries: AsyncPGInstrumentor) -> None:
        self.provider = provider
        self._queries = queries

    def shutdown(self) -> None:
        """Export the spans still held, then stop (when the service stops)."""
        self._queries.uninstrument()
        self.provider.shutdown()


def start(service: str) -> Tracing | None:
    """Traces for this process as `service` (its `service.name`) when the environment asks
    for them (`configured`); None: off. Once per process: OpenTelemetry's provider is global,
    so one service per process (as `huisacademie serve` runs them)."""
    if not configured():
        return None
    # The service's own name: OTEL_SERVICE_NAME, shared by every service of a deployment's
    # common environment, would name them all alike. OTEL_RESOURCE_ATTRIBUTES adds to it.
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.sampler = QueriesInTraces(provider.sampler)  # OTEL_TRACES_SAMPLER's, or the default
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    queries = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]  # its __init__ is untyped
    queries.instrument(tracer_provider=provider)
    return Tracing(provider, queries)


class QueriesInTraces(Sampler):
    """Records a database query only within a trace (a request's, an event's handling): the
    queries of none (the relay's polls, health checks, offsets read at a rebalance) would
    each be a trace of their own, every second of every service."""

    def __init__(self, otherwise: Sampler) -> None:
        self._otherwise = otherwise

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        query = kind is SpanKind.CLIENT and bool(
            attributes and ("db.system" in attributes or "db.system.name" in attributes)
        )
        if query and not trace.get_current_span(parent_context).get_span_context().is_valid:
            return SamplingResult(Decision.DROP)
        return self._otherwise.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"QueriesInTraces{{{self._otherwise.get_description()}}}"


def _on() -> bool:
    """Whether spans are recorded: a provider set (by `start`), or a tracer of one in TRACER.
    Off, a span is made only where there is a trace context to pass on."""
    if isinstance(TRACER, trace.ProxyTracer):
        return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    return not isinstance(TRACER, trace.NoOpTracer)


def current() -> tuple[str | None, str | None]:
    """The current span's context as W3C `traceparent` and `tracestate`; (None, None)
    outside any trace."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None, None
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate")


async def propagate(request: httpx.Request) -> None:
    """An httpx request hook: the service called continues the current trace (its
    `traceparent` header), as the web application's calls of the services' APIs do."""
    _W3C.inject(request.headers)


def _context(traceparent: str, tracestate: str | None) -> Context:
    carrier = {"traceparent": traceparent}
    if tracestate:
        carrier["tracestate"] = tracestate
    return _W3C.extract(carrier)


def failed(span: Span, error: BaseException) -> None:
    """Marks the span failed by the error's kind only: its text may carry what it was working
    on (a person's data), and spans leave the service."""
    span.set_attribute("error.type", type(error).__qualname__)
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))


@contextmanager
def storing(events: int) -> Iterator[tuple[str | None, str | None]]:
    """The span of a unit of work storing its events in the outbox; gives the trace context
    to store with them (that span's), which the relay's publishing of each row continues."""
    if not _on():
        yield current()  # an event's trace, passed on by its handling's span, or none
        return
    with TRACER.start_as_current_span(
        "outbox put", attributes={"huisacademie.outbox.events": events}
    ):
        yield current()


class Sending:
    """The relay's spans of one batch: one per row stored within a trace, a child of the span
    that stored it, ended once Kafka has the batch (failed with it, if it fails)."""

    def __init__(self) -> None:
        self._spans: dict[int, Span] = {}

    def __enter__(self) -> "Sending":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> None:
        for span in self._spans.values():
            if error is not None:
                failed(span, error)
            span.end()

    def row(
        self,
        seq: int,
        topic: str,
        traceparent: str | None,
        tracestate: str | None,
        headers: dict[str, str],
    ) -> None:
        """Starts the span of publishing outbox row `seq`, stored with `traceparent` and
        `tracestate`; its headers get the trace context the consumers continue
        (`ce_traceparent`, `ce_tracestate`): this span's, or, while tracing is off, the one
        stored. A row stored outside any trace goes without."""
        if traceparent is None:
            return
        span = TRACER.start_span(
            f"send {topic}",
            _context(traceparent, tracestate),
            kind=SpanKind.PRODUCER,
            attributes={
                **_KAFKA,
                "messaging.operation.type": "send",
                "messaging.destination.name": topic,
                "cloudevents.event_id": headers.get("ce_id", ""),
                "cloudevents.event_type": headers.get("ce_type", ""),
            },
            record_exception=False,
        )
        if span.is_recording():
            carrier: dict[str, str] = {}
            _W3C.inject(carrier, trace.set_span_in_context(span))
            traceparent, tracestate = carrier["traceparent"], carrier.get("tracestate")
            self._spans[seq] = span
        headers["ce_traceparent"] = traceparent
        if tracestate:
            headers["ce_tracestate"] = tracestate

    def refused(self, seq: int, error: BaseException) -> None:
        """Kafka refused the row for good (it is parked)."""
        if seq in self._spans:
            failed(self._spans[seq], error)


@contextmanager
def applying(consumer: str, envelopes: Sequence[Envelope[Event]]) -> Iterator[Span]:
    """The span of a consumer applying events in one transaction, the handlers and their
    queries within it: a child of the first event's trace context (`ce_traceparent`), linked
    to the traces of the others when a batch carries several."""
    traced = [e for e in envelopes if e.traceparent]
    first_traced = traced[0].traceparent if traced else None
    if first_traced is None and not _on():
        yield INVALID_SPAN  # no trace to record or to pass on
        return
    parent = _context(first_traced, traced[0].tracestate) if first_traced else None
    first = envelopes[0]
    attributes: dict[str, AttributeValue] = {
        **_KAFKA,
        "messaging.operation.type": "process",
        "messaging.destination.name": first.data.topic,
        "messaging.consumer.group.name": consumer,
        "messaging.batch.message_count": len(envelopes),
    }
    if len(envelopes) == 1:
        attributes["cloudevents.event_id"] = str(first.id)
        attributes["cloudevents.event_type"] = first.type
    with TRACER.start_as_current_span(
        f"process {first.data.topic}",
        parent,
        kind=SpanKind.CONSUMER,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        if span.is_recording():
            _link(span, traced[1:])
        try:
            yield span
        except BaseException as e:
            failed(span, e)
            raise


def _link(span: Span, envelopes: Sequence[Envelope[Event]]) -> None:
    own = span.get_span_context().trace_id
    seen: set[str] = set()
    for envelope in envelopes:
        traceparent = envelope.traceparent
        if traceparent is None or traceparent in seen:
            continue
        seen.add(traceparent)
        linked = trace.get_current_span(_context(traceparent, envelope.tracestate))
        context = linked.get_span_context()
        if context.is_valid and context.trace_id != own:
            span.add_link(context)
            if len(seen) >= MAX_LINKS:
                return
