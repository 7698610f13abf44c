"""`huisacademie topics` makes sure every event and dead-letter topic exists on the cluster
named by KAFKA_BOOTSTRAP_SERVERS, with its partition count."""

import asyncio
import os
import subprocess
import sys

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts.topics import ENROLLMENTS, all_topics, dead_letter
from services.shared.kafka_access import kafka_options, servers
from tests.support.infra import Infrastructure

pytestmark = pytest.mark.integration


async def _retention_ms(bootstrap: str, topics: list[str]) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(bootstrap), **kafka_options())
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics]
        )
    finally:
        await admin.close()
    found = {}
    for response in responses:
        for _error, _message, _type, name, entries in response.resources:
            for entry in entries:
                if entry[0] == "retention.ms":
                    found[name] = entry[1]
    return found


async def _partitions(bootstrap: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(bootstrap), **kafka_options())
    await admin.start()
    try:
        described = await admin.describe_topics([name for name, _ in all_topics()])
    finally:
        await admin.close()
    return {t["topic"]: len(t["partitions"]) for t in described}


def test_topics_command_ensures_every_topic_exists_and_can_run_again(
    infrastructure: Infrastructure,
) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": infrastructure.kafka_bootstrap}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "huisacademie", "topics"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "topics ready" in done.stdout
    assert asyncio.run(_partitions(infrastructure.kafka_bootstrap)) == dict(all_topics())
    # Events are kept (a rebuild replays them); dead letters 30 days.
    retention = asyncio.run(
        _retention_ms(infrastructure.kafka_bootstrap, [ENROLLMENTS, dead_letter(ENROLLMENTS)])
    )
    assert retention == {ENROLLMENTS: "-1", dead_letter(ENROLLMENTS): str(30 * 24 * 3600 * 1000)}
