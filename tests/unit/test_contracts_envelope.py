"""Contracts: CloudEvents envelopes in Kafka binary content mode."""

import json
import re
from uuid import UUID, uuid4

import pytest

from contracts.catalogue import CourseWithdrawn
from contracts.enrollment import Enrolled, EnrolledVia
from contracts.envelope import Envelope, EnvelopeError, decode
from tests.support.factories import enrolled

pytestmark = pytest.mark.unit

SOURCE = "/huisacademie/enrollment"


def record() -> tuple[dict[str, str], bytes]:
    envelope = Envelope.new(enrolled(), SOURCE)
    return envelope.headers(), envelope.body()


def test_headers_carry_the_cloudevents_attributes() -> None:
    event = enrolled()
    envelope = Envelope.new(event, SOURCE)
    headers = envelope.headers()
    assert headers == {
        "ce_id": str(envelope.id),
        "ce_source": SOURCE,
        "ce_type": "nl.huisacademie.enrollment.enrolled.v1",
        "ce_specversion": "1.0",
        "ce_time": envelope.time.isoformat(),
        "ce_subject": str(event.staff_id),
        "content-type": "application/json",
    }
    assert envelope.time.tzinfo is not None
    assert envelope.type == Enrolled.ce_type


def test_each_new_envelope_gets_its_own_id() -> None:
    event = enrolled()
    assert Envelope.new(event, SOURCE).id != Envelope.new(event, SOURCE).id


def test_body_is_the_event_as_json() -> None:
    event = enrolled(via=EnrolledVia.DIRECT, title="Intervision for new teachers")
    body = json.loads(Envelope.new(event, SOURCE).body())
    assert body["staff_id"] == str(event.staff_id)
    assert body["via"] == "direct"
    assert body["offering"]["title"] == "Intervision for new teachers"


def test_decode_round_trips_from_a_header_mapping() -> None:
    original = Envelope.new(enrolled(), SOURCE)
    decoded = decode(original.headers(), original.body())
    assert (decoded.id, decoded.source, decoded.time) == (original.id, SOURCE, original.time)
    assert type(decoded.data) is Enrolled
    assert decoded.data == original.data


def test_decode_accepts_kafka_style_byte_headers() -> None:
    original = Envelope.new(CourseWithdrawn(offering_id=uuid4(), academy_id=uuid4()), SOURCE)
    kafka_headers = [(k, v.encode()) for k, v in original.headers().items()]
    decoded = decode(kafka_headers, original.body())
    assert decoded.data == original.data
    assert isinstance(decoded.id, UUID)


def test_a_missing_ce_type_is_an_envelope_error() -> None:
    headers, body = record()
    del headers["ce_type"]
    with pytest.raises(EnvelopeError, match="missing CloudEvents headers: ce_type"):
        decode(headers, body)


def test_an_unknown_ce_type_is_an_envelope_error() -> None:
    headers, body = record()
    headers["ce_type"] = "nl.huisacademie.enrollment.enrolled.v2"
    with pytest.raises(EnvelopeError, match="unknown event type"):
        decode(headers, body)


def test_a_body_that_is_not_json_is_an_envelope_error() -> None:
    headers, _ = record()
    with pytest.raises(
        EnvelopeError, match=re.escape("invalid nl.huisacademie.enrollment.enrolled.v1")
    ):
        decode(headers, b"not json {")


def test_json_missing_a_required_field_is_an_envelope_error() -> None:
    headers, body = record()
    data = json.loads(body)
    del data["enrolled_at"]
    with pytest.raises(EnvelopeError, match="enrolled_at"):
        decode(headers, json.dumps(data).encode())


def test_a_wrong_specversion_is_an_envelope_error() -> None:
    headers, body = record()
    headers["ce_specversion"] = "0.3"
    with pytest.raises(EnvelopeError, match=re.escape("unsupported ce_specversion '0.3'")):
        decode(headers, body)


def test_a_malformed_ce_id_is_an_envelope_error() -> None:
    headers, body = record()
    headers["ce_id"] = "not-a-uuid"
    with pytest.raises(EnvelopeError, match="invalid CloudEvents attribute"):
        decode(headers, body)
