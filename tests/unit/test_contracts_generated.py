"""The checked-in AsyncAPI document and JSON Schemas match the event models."""

import json

import pytest
import yaml

from contracts import generate
from contracts.registry import EVENT_TYPES

pytestmark = pytest.mark.unit

STALE = "stale: run `make contracts` and commit the result"


def test_asyncapi_document_is_current() -> None:
    assert generate.ASYNCAPI.read_text() == generate.asyncapi_document(), STALE


def test_json_schemas_are_current_and_complete() -> None:
    expected = generate.json_schemas()
    on_disk = {p.name: p.read_text() for p in generate.SCHEMAS.glob("*.json")}
    assert on_disk == expected, STALE
    assert len(expected) == len(EVENT_TYPES)


def test_asyncapi_names_every_event_with_its_topic_and_type() -> None:
    doc = yaml.safe_load(generate.ASYNCAPI.read_text())
    assert doc["asyncapi"].startswith("3.")
    channels = doc["channels"]
    assert len(EVENT_TYPES) == 30
    for model in EVENT_TYPES.values():
        channel = channels[f"{model.topic}.{model.__name__}"]
        assert channel["address"] == model.topic
        assert model.ce_type in channel["description"]


def test_schema_requires_what_consumers_rely_on() -> None:
    completed = json.loads((generate.SCHEMAS / "completed.json").read_text())
    assert completed["x-cloudevents-type"] == "nl.huisacademie.enrollment.completed.v2"
    assert {"staff_id", "offering", "hours", "completed_on"} <= set(completed["required"])
    snapshot = completed["$defs"]["OfferingSnapshot"]
    assert {"title", "study_hours", "kind", "academy_name"} <= set(snapshot["required"])
