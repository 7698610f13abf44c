"""Generates the checked-in AsyncAPI document and JSON Schemas from the event models.

Run `python -m contracts.generate` (or `make contracts`) after changing an event; a test
fails while the checked-in files are stale.
"""

import json
import re
import ssl
from pathlib import Path

import yaml
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram512
from faststream.specification import AsyncAPI

from contracts import topics
from contracts.envelope import CONTENT_TYPE, SPEC_VERSION, TRACEPARENT, TRACESTATE
from contracts.event import Event
from contracts.registry import EVENT_TYPES

HERE = Path(__file__).parent
ASYNCAPI = HERE / "asyncapi.yaml"
SCHEMAS = HERE / "schemas"
VERSION = "1.0.0"


def schema_name(model: type[Event]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def _envelope_note(model: type[Event]) -> str:
    return (
        f"{(model.__doc__ or '').strip()}\n\n"
        f"Topic `{model.topic}`, record key: {topics.KEYS[model.topic]}. "
        f"CloudEvents {SPEC_VERSION} in binary mode: `ce_type` header `{model.ce_type}`, "
        f"with `ce_id`, `ce_source`, `ce_time`, `ce_subject`, `ce_specversion` and "
        f"`content-type: {CONTENT_TYPE}`; the body is this payload as JSON. Optional: "
        f"`{TRACEPARENT}` and `{TRACESTATE}`, the distributed-tracing extension (W3C Trace "
        "Context of the span that published the event, where its producer traces)."
    )


def asyncapi_document() -> str:
    # Over TLS, signed in with SASL/SCRAM-SHA-512: the document's security scheme. (The
    # credentials are placeholders: a subscriber gets its own from `huisacademie subscriber`.)
    security = SASLScram512(
        username="subscriber", password="", ssl_context=ssl.create_default_context()
    )
    broker = KafkaBroker("127.0.0.1:9092", security=security)
    for model in EVENT_TYPES.values():
        broker.publisher(
            model.topic,
            schema=model,
            title=f"{model.topic}.{model.__name__}",
            description=_envelope_note(model),
        )
    spec = AsyncAPI(
        broker,
        title="huisacademie events",
        version=VERSION,
        description=(
            "The events of huisacademie's catalogue and enrollment services, for the portfolio "
            "service and for external subscribers. Records nobody can use land in "
            "`<topic>.dlt` with `dlt_*` headers giving the reason and the original position. "
            "Subscribers sign in over TLS with SASL/SCRAM-SHA-512 as a principal of their own "
            "(`huisacademie subscriber add NAME --topics ...`), which may read only the topics "
            "it was granted, in consumer groups named `NAME.*`; only each topic's producer "
            "may write to it. Where the producer traces (OpenTelemetry), a record carries "
            "the trace of the request it follows from in `ce_traceparent` (and "
            "`ce_tracestate`): the CloudEvents distributed-tracing extension, W3C Trace "
            "Context; a subscriber that traces may continue it."
        ),
    )
    # FastStream lists channels in no fixed order: sort them so the document is reproducible.
    doc = yaml.safe_load(spec.to_specification().to_yaml())
    for section in (doc["channels"], doc["operations"], *doc["components"].values()):
        ordered = dict(sorted(section.items()))
        section.clear()
        section.update(ordered)
    return str(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))


def json_schemas() -> dict[str, str]:
    out = {}
    for model in EVENT_TYPES.values():
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{schema_name(model)}.json",
            "x-cloudevents-type": model.ce_type,
            "x-topic": model.topic,
            **model.model_json_schema(),
        }
        out[f"{schema_name(model)}.json"] = json.dumps(schema, indent=2, sort_keys=False) + "\n"
    return out


def write() -> None:
    ASYNCAPI.write_text(asyncapi_document())
    SCHEMAS.mkdir(exist_ok=True)
    for name, text in json_schemas().items():
        (SCHEMAS / name).write_text(text)


if __name__ == "__main__":
    write()
