"""An OTLP/HTTP receiver the tests own: a real endpoint for OpenTelemetry exporters (POST
/v1/traces, protobuf), which keeps the spans it receives, decoded with the protocol's own
messages (opentelemetry-proto)."""

import gzip
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

PROTOBUF = "application/x-protobuf"


@dataclass(frozen=True)
class Received:
    """One span as a service exported it."""

    service: str
    """Its resource's `service.name`."""
    name: str
    kind: int
    """Span.SpanKind: SPAN_KIND_SERVER, _CONSUMER, _PRODUCER, _CLIENT, _INTERNAL."""
    trace_id: str
    span_id: str
    parent_id: str
    """Empty for a root span."""
    attributes: dict[str, object]


def _value(value: AnyValue) -> object:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


def _attributes(pairs: Iterable[KeyValue]) -> dict[str, object]:
    return {p.key: _value(p.value) for p in pairs}


def decode(body: bytes) -> list[Received]:
    request = ExportTraceServiceRequest.FromString(body)
    spans: list[Received] = []
    for resource in request.resource_spans:
        service = str(_attributes(resource.resource.attributes).get("service.name", ""))
        for scope in resource.scope_spans:
            spans.extend(
                Received(
                    service=service,
                    name=span.name,
                    kind=span.kind,
                    trace_id=span.trace_id.hex(),
                    span_id=span.span_id.hex(),
                    parent_id=span.parent_span_id.hex(),
                    attributes=_attributes(span.attributes),
                )
                for span in scope.spans
            )
    return spans


class OtlpReceiver:
    """Listens on a free port of 127.0.0.1 while entered; `url` is what
    OTEL_EXPORTER_OTLP_ENDPOINT is set to."""

    def __init__(self) -> None:
        self._spans: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_error(404)
                    return
                receiver._keep(decode(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", PROTOBUF)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def spans(self) -> list[Received]:
        with self._lock:
            return list(self._spans)

    def _keep(self, spans: list[Received]) -> None:
        with self._lock:
            self._spans.extend(spans)

    def __enter__(self) -> "OtlpReceiver":
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
