"""Events whose free text is now sealed are a new version (v2); the earlier version, with
the text in clear, is still read, as the new one (upcasting)."""

from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import EVENT_TYPES, decode, event_type_for
from contracts.personal import Sealed
from contracts.portfolio import PlanSet, ReflectionAdded

pytestmark = pytest.mark.unit

SEALING = {model for model in EVENT_TYPES.values() if model.personal}


def test_every_event_with_sealed_fields_is_a_new_version_that_reads_its_old_one() -> None:
    assert {m.__name__ for m in SEALING} == {
        "EntryAdded", "EvidenceAdded", "ReflectionAdded", "LeaderNoteAdded",
        "EnrollmentCancelled", "Completed", "NotCompleted", "EnrollmentDeclined", "PlanSet",
    }  # fmt: skip
    for model in SEALING:
        assert model.ce_type.endswith(".v2"), model.ce_type
        assert model.replaces == (model.ce_type.removesuffix(".v2") + ".v1",)
        assert event_type_for(model.replaces[0]) is model
        assert model.replaces[0] not in EVENT_TYPES  # read, never written
        for name in model.personal:
            items = name.partition("[].")[0]
            assert items in model.model_fields, (model.__name__, name)


def test_an_old_reflection_in_clear_is_read_as_the_new_version() -> None:
    staff, event_id = uuid4(), uuid4()
    headers = {
        "ce_id": str(event_id),
        "ce_source": "/huisacademie/portfolio",
        "ce_type": "nl.huisacademie.portfolio.reflection_added.v1",
        "ce_specversion": "1.0",
        "ce_time": "2026-10-01T10:00:00+00:00",
    }
    body = (
        f'{{"staff_id": "{staff}", "entry_id": "{uuid4()}", "reflection_id": "{uuid4()}",'
        ' "text": "Ik lees nu dagelijks voor."}'
    ).encode()

    read = decode(headers, body)

    assert isinstance(read.data, ReflectionAdded) and read.type.endswith(".v2")
    assert read.data.text == "Ik lees nu dagelijks voor."


def test_a_sealed_field_is_an_object_the_schema_describes() -> None:
    schema = ReflectionAdded.model_json_schema()
    options = schema["properties"]["text"]["anyOf"]
    assert {"$ref": "#/$defs/Sealed"} in options
    assert set(Sealed.model_json_schema()["required"]) == {
        "sealed", "subject", "nonce", "ciphertext"
    }  # fmt: skip


def test_an_invalid_event_names_what_is_wrong_never_what_was_written() -> None:
    """Errors reach logs and dead letters' reasons: the text someone wrote stays out."""
    marker = "MARKER-private-" + "x" * 10_000
    with pytest.raises(ValidationError) as refused:
        ReflectionAdded(staff_id=uuid4(), entry_id=uuid4(), reflection_id=uuid4(), text=marker)
    assert "text" in str(refused.value) and "at most 10000" in str(refused.value)
    assert "MARKER" not in str(refused.value) and "MARKER" not in repr(refused.value)
    with pytest.raises(ValidationError) as nested:
        PlanSet(
            staff_id=uuid4(), school_year="2026-2027",
            goals=[{"goal_id": str(uuid4()), "title": marker, "target_hours": 4}],
        )  # fmt: skip
    assert "MARKER" not in str(nested.value)
