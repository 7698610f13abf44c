"""CloudEvents 1.0 in Kafka binary content mode: attributes in headers, data as body."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import ValidationError

from contracts.event import Event
from contracts.registry import UnknownEventType, event_type_for

E = TypeVar("E", bound=Event)

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
REQUIRED_HEADERS = ("ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time")
TRACEPARENT = "ce_traceparent"
"""The distributed-tracing extension's headers (optional): W3C Trace Context of the span
that published the event."""
TRACESTATE = "ce_tracestate"


class EnvelopeError(ValueError):
    """A record that is not a valid event of ours; it belongs in the dead-letter topic."""


@dataclass(frozen=True)
class Envelope(Generic[E]):
    """An event with its CloudEvents attributes.

    A plain dataclass, not a pydantic model: one is made for every record read, the event
    in it is validated, and its attributes are typed where they are made (a generic pydantic
    model took longer to build than validating the event)."""

    id: UUID
    source: str
    time: datetime
    data: E
    raw: bytes | None = field(default=None, repr=False, compare=False)
    """The body as it came (a record read from Kafka), kept so that it is not serialised
    again; None for an event made here, or one whose data was changed after it came."""
    traceparent: str | None = field(default=None, repr=False, compare=False)
    """The CloudEvents distributed-tracing extension (header `ce_traceparent`): the W3C
    `traceparent` of the span that published the event, where its producer traces; a
    consumer's span applying the event continues that trace. Optional, and never part of
    what the event says."""
    tracestate: str | None = field(default=None, repr=False, compare=False)
    """The W3C `tracestate` that goes with `traceparent` (header `ce_tracestate`), if any."""

    @classmethod
    def new(cls, data: E, source: str) -> "Envelope[E]":
        return cls(id=uuid4(), source=source, time=datetime.now(UTC), data=data)

    @property
    def type(self) -> str:
        return self.data.ce_type

    def headers(self) -> dict[str, str]:
        return {
            "ce_id": str(self.id),
            "ce_source": self.source,
            "ce_type": self.data.ce_type,
            "ce_specversion": SPEC_VERSION,
            "ce_time": self.time.isoformat(),
            "ce_subject": self.data.subject(),
            "content-type": CONTENT_TYPE,
            **self._trace_headers(),
        }

    def _trace_headers(self) -> dict[str, str]:
        headers = {"ce_traceparent": self.traceparent} if self.traceparent else {}
        if self.traceparent and self.tracestate:
            headers["ce_tracestate"] = self.tracestate
        return headers

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return self.data.model_dump_json(by_alias=True).encode()


def decode(
    headers: Iterable[tuple[str, bytes]] | Mapping[str, str], body: bytes
) -> Envelope[Event]:
    """Parse a Kafka record into an envelope, or raise EnvelopeError saying why not."""
    attrs = _as_text(headers)
    missing = [h for h in REQUIRED_HEADERS if not attrs.get(h)]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
    if attrs["ce_specversion"] != SPEC_VERSION:
        raise EnvelopeError(f"unsupported ce_specversion {attrs['ce_specversion']!r}")
    try:
        model = event_type_for(attrs["ce_type"])
    except UnknownEventType as e:
        raise EnvelopeError(str(e)) from e
    try:
        data = model.model_validate_json(body)
        return Envelope[Event](
            id=UUID(attrs["ce_id"]),
            source=attrs["ce_source"],
            time=datetime.fromisoformat(attrs["ce_time"]),
            data=data,
            raw=body,
            traceparent=attrs.get(TRACEPARENT) or None,
            tracestate=attrs.get(TRACESTATE) or None,
        )
    except ValidationError as e:
        raise EnvelopeError(f"invalid {attrs['ce_type']}: {_first_errors(e)}") from e
    except ValueError as e:
        raise EnvelopeError(f"invalid CloudEvents attribute: {e}") from e


def _as_text(headers: Iterable[tuple[str, bytes]] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(headers, Mapping):
        return {k: str(v) for k, v in headers.items()}
    out: dict[str, str] = {}
    for name, value in headers:
        try:
            out[name] = value.decode() if isinstance(value, bytes) else str(value)
        except UnicodeDecodeError:
            out[name] = ""
    return out


def _first_errors(e: ValidationError, limit: int = 3) -> str:
    parts = []
    for err in e.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
