"""Consumers: a redelivered event has no second effect; a malformed record goes to the
dead-letter topic with the reason, and the consumer goes on."""

import uuid

import asyncpg
import pytest

from contracts.topics import dead_letter
from tests.support.consuming import consuming, effect_seen
from tests.support.factories import completion
from tests.support.infra import Infrastructure
from tests.support.kafka import as_record, eventually, produce, read_all

pytestmark = pytest.mark.integration


async def test_a_redelivered_event_has_no_second_effect(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    staff = uuid.uuid4()
    twice, after = completion(staff, hours=3.0), completion(staff, hours=5.0)
    # One key, so one partition: when `after` took effect, both copies were consumed.
    await produce(
        infrastructure.kafka_bootstrap,
        topic,
        [as_record(twice), as_record(twice), as_record(after)],
    )
    async with consuming(infrastructure, pool, topic):
        await eventually(effect_seen(pool, after))
    rows = await pool.fetch("SELECT hours FROM effects WHERE staff_id = $1", staff)
    assert sorted(float(r["hours"]) for r in rows) == [3.0, 5.0]


async def test_malformed_records_go_to_the_dead_letter_topic_and_the_consumer_goes_on(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    staff = uuid.uuid4()
    good = completion(staff)
    key, _, headers = as_record(good)
    missing_field = completion(staff)
    bad_body = missing_field.body().replace(b'"hours"', b'"hourz"')
    await produce(
        infrastructure.kafka_bootstrap,
        topic,
        [
            (key, b"{not json", headers),
            (key, b"{}", {}),
            (key, bad_body, missing_field.headers()),
            (key, good.body(), {**headers, "ce_type": "nl.huisacademie.nobody.knows.v1"}),
            as_record(good),
        ],
    )
    async with consuming(infrastructure, pool, topic):
        await eventually(effect_seen(pool, good))

    letters = await read_all(infrastructure.kafka_bootstrap, dead_letter(topic))
    assert len(letters) == 4
    reasons = [dict(r.headers)["dlt_reason"].decode() for r in letters]
    assert "invalid nl.huisacademie.enrollment.completed.v2" in reasons[0]
    assert "missing CloudEvents headers" in reasons[1]
    assert "hours" in reasons[2]
    assert "unknown event type" in reasons[3]
    origin = {
        (
            dict(r.headers)["dlt_original_topic"].decode(),
            int(dict(r.headers)["dlt_original_offset"].decode()),
        )
        for r in letters
    }
    assert origin == {(topic, 0), (topic, 1), (topic, 2), (topic, 3)}
    assert letters[0].value == b"{not json"
