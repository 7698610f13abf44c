"""`huisacademie dlt list|replay`: dead letters listed with their reasons and sent back
through the consumers after a fix, each applied once however often it is replayed."""

import uuid

import asyncpg
import pytest

from contracts.enrollment import Completed
from huisacademie import cli, dlt
from services.shared.db import Connection
from tests.support.consuming import consuming, effect_seen, record_effect
from tests.support.factories import completion
from tests.support.infra import Infrastructure
from tests.support.kafka import as_record, eventually, produce

pytestmark = pytest.mark.integration


async def test_replayed_dead_letters_are_applied_once_after_the_fix(
    pool: asyncpg.Pool, infrastructure: Infrastructure, topic: str
) -> None:
    bootstrap = infrastructure.kafka_bootstrap
    fixed = False

    async def refuses_nines_until_fixed(conn: Connection, event: Completed) -> None:
        if event.hours == 9.0 and not fixed:
            raise ValueError("nine hours is not a thing here")
        await record_effect(conn, event)

    poison, good = completion(uuid.uuid4(), hours=9.0), completion(uuid.uuid4(), hours=1.0)
    await produce(bootstrap, topic, [as_record(poison), as_record(good)])
    async with consuming(infrastructure, pool, topic, refuses_nines_until_fixed):
        await eventually(effect_seen(pool, good))
        [letter] = await eventually(lambda: dlt.list_letters(bootstrap, topic))
        assert letter.headers["ce_id"] == str(poison.id)
        assert "nine hours" in letter.describe()

        fixed = True
        assert await dlt.replay(bootstrap, topic) == 1
        await eventually(effect_seen(pool, poison))
        assert await dlt.replay(bootstrap, dlt.dead_letter_topic(topic)) == 0, "sent twice"
        # Even the same event sent once more (say, the replay's offsets were lost) is
        # applied once: the consumer has it in its inbox.
        await produce(
            bootstrap, topic, [as_record(poison), as_record(marker := completion(uuid.uuid4()))]
        )
        await eventually(effect_seen(pool, marker))
    staff = [uuid.UUID(as_record(e)[0].decode()) for e in (poison, good)]
    counts = await pool.fetch(
        "SELECT count(*) AS n FROM effects WHERE staff_id = ANY($1::uuid[]) GROUP BY staff_id",
        staff,
    )
    assert sorted(r["n"] for r in counts) == [1, 1]


def test_the_command_lists_and_replays(
    infrastructure: Infrastructure,
    topic: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafka_bootstrap)
    cli.main(["dlt", "list", topic])
    cli.main(["dlt", "replay", topic])
    assert capsys.readouterr().out.splitlines() == [
        f"0 dead letters in {topic}.dlt",
        f"replayed 0 dead letters from {topic}.dlt",
    ]
    with pytest.raises(SystemExit):
        cli.main(["dlt", "list", "no.such.topic"])
    assert "no topic 'no.such.topic.dlt'" in capsys.readouterr().err
