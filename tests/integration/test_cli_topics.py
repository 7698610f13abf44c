"""`huisacademie topics` makes sure every event and dead-letter topic exists on the cluster
named by KAFKA_BOOTSTRAP_SERVERS, with its partition count."""

import asyncio
import os
import subprocess
import sys

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import all_topics
from services.shared.kafka_access import kafka_options
from tests.support.infra import Infrastructure

pytestmark = pytest.mark.integration


async def _partitions(bootstrap: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_options())
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
