"""Projection ingest: the portfolio consuming Completed events into its read model, against
the raw aiokafka consumer and Kafka's ConsumerPerformance tool on the same topic."""

import asyncio
import re
import subprocess
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from huisacademie import stack
from huisacademie.stack.kafka_access import kafka_access
from services.portfolio.app import DEFINITION, PortfolioSettings
from services.shared.db import create_pool, migrate
from services.shared.definition import database_migrations
from services.shared.kafka_access import kafka_options, kafka_security


async def raw_consume_seconds(bootstrap: str, topic: str, expected: int) -> float:
    """The client's limit: read every record with aiokafka and do nothing with it."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        **kafka_options(),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        began, seen = time.perf_counter(), 0
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(records) for records in batch.values())
        return time.perf_counter() - began
    finally:
        await consumer.stop()


def consumer_performance_rate(bootstrap: str, topic: str, expected: int) -> float:
    """The broker's limit on this machine: Kafka's own ConsumerPerformance tool."""
    libs = stack.ensure_kafka_jars()
    cmd = [
        "java", "-Xmx512m", "-cp", f"{libs}/*", "org.apache.kafka.tools.ConsumerPerformance",
        "--bootstrap-server", bootstrap, "--topic", topic, "--messages", str(expected),
        "--group", f"bench-perf-{uuid.uuid4().hex[:8]}", "--timeout", "60000",
        *(f"--command-property={k}={v}" for k, v in kafka_access().client_properties().items()),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600)
    header, values = _csv_lines(done.stdout)
    row = dict(zip(header, values, strict=True))
    return float(row["fetch.nMsg.sec"])


def _csv_lines(output: str) -> tuple[list[str], list[str]]:
    lines = [line for line in output.splitlines() if "," in line]
    header = [h.strip() for h in lines[0].split(",")]
    values = [v.strip() for v in lines[-1].split(",")]
    if not re.match(r"\d", values[0]):
        raise RuntimeError(f"ConsumerPerformance printed no figures:\n{output}")
    return header, values


async def projection_seconds(bootstrap: str, database_url: str, expected: int) -> float:
    """The portfolio's consumer of enrollment events, as it runs in the service: seconds
    from the first event applied to the last (its inbox holds them all), so that joining
    the consumer group is left out, as the Connect worker's start-up is."""
    await migrate(database_url, database_migrations(DEFINITION))
    pool = await create_pool(database_url)
    broker = KafkaBroker(bootstrap, enable_idempotence=True, logger=None, security=kafka_security())
    settings = PortfolioSettings(database_url=database_url)
    for subscription in DEFINITION.subscriptions:
        consumer = DEFINITION.consumer(subscription, pool, broker, settings)
        consumer.subscribe(*subscription.topics)
    try:
        await broker.start()
        first: float | None = None
        while True:
            applied = await _applied(pool)
            if applied and first is None:
                first = time.perf_counter()
            if applied >= expected:
                break
            await asyncio.sleep(0.05)
        return time.perf_counter() - (first or time.perf_counter())
    finally:
        await broker.stop()
        await pool.close()


async def _applied(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM inbox"))
