"""structlog, configured once per process, JSON when not on a terminal."""

import logging
import re
import sys
from collections.abc import Sequence

import structlog
from opentelemetry import trace
from structlog.typing import EventDict, WrappedLogger

from contracts import Envelope, Event


def configure_logging(level: str = "info", json: bool | None = None) -> None:
    as_json = (not sys.stderr.isatty()) if json is None else json
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiokafka reports every broker hiccup at ERROR with a stack; one line is enough.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    # Every fetch of an identity provider's keys would be a line otherwise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").addFilter(_no_secrets)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


def add_trace_ids(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """The trace and span a line is logged in (a request's, an event's handling), where
    there is one: what finds the line from a trace, and the trace from the line."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event


class EventIds:
    """The ids of a batch's events, for its log lines (bound while it is handled): written
    out only when a line is logged, not for every batch."""

    def __init__(self, envelopes: Sequence[Envelope[Event]]) -> None:
        self._envelopes = envelopes

    def __structlog__(self) -> list[str]:
        return [str(e.id) for e in self._envelopes]

    def __repr__(self) -> str:
        return repr(self.__structlog__())


_SECRET = re.compile(r"/calendar-feeds/[^/ .\"]+")
_SIGN_IN = re.compile(r"/auth/callback\?[^ \"]*")


def _no_secrets(record: logging.LogRecord) -> bool:
    """A calendar feed's address is its secret, and a sign-in's callback carries a code:
    neither reaches the logs."""
    if isinstance(record.args, tuple):
        record.args = tuple(
            _SIGN_IN.sub("/auth/callback?<code>", _SECRET.sub("/calendar-feeds/<secret>", a))
            if isinstance(a, str)
            else a
            for a in record.args
        )
    return True
