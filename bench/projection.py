"""Projection ingest: the portfolio consuming Completed events into its read model, against
the raw aiokafka consumer and Kafka's ConsumerPerformance tool on the same topic."""

import dataclasses
import re
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from bench import landed
from bench.landed import GroupWatch
from contracts.topics import ENROLLMENTS
from huisacademie import stack
from huisacademie.stack.kafka_access import kafka_access
from services.portfolio.app import DEFINITION, PortfolioSettings
from services.shared.consumer.adapter import BATCH_RECORDS, PARTITION_FETCH_BYTES, EventConsumer
from services.shared.db import create_pool, migrate
from services.shared.definition import database_migrations
from services.shared.kafka_access import CLIENT, PRODUCER, kafka_options, kafka_security, servers


@asynccontextmanager
async def reading(bootstrap: str, topic: str) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer of every partition of `topic` from its beginning, fetching as the
    services' consumers fetch (records a poll, bytes a partition)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers(bootstrap),
        **kafka_options(),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        yield consumer
    finally:
        await consumer.stop()


async def raw_consume_seconds(bootstrap: str, topic: str, expected: int) -> float:
    """The client's limit: read every record with aiokafka and do nothing with it."""
    async with reading(bootstrap, topic) as consumer:
        began: float | None = None
        seen = 0
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=1000, max_records=BATCH_RECORDS)
            seen += sum(len(records) for records in batch.values())
            if seen and began is None:
                began = time.perf_counter()  # from the first poll's records, as ours
        return time.perf_counter() - (began or time.perf_counter())


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


@asynccontextmanager
async def portfolio_consumer(
    bootstrap: str, database_url: str, group: str | None = None, topic: str = ENROLLMENTS
) -> AsyncIterator[tuple[KafkaBroker, EventConsumer]]:
    """The portfolio's consumer of enrollment events as the service runs it, on its broker
    (not started), in the service's group or `group` (then from the beginning of `topic`)."""
    pool = await create_pool(database_url)
    broker = KafkaBroker(
        servers(bootstrap), **PRODUCER, **CLIENT, logger=None, security=kafka_security()
    )
    settings = PortfolioSettings(database_url=database_url)
    subscription = next(s for s in DEFINITION.subscriptions if ENROLLMENTS in s.topics)
    subscription = dataclasses.replace(
        subscription, group=group or subscription.group, topics=(topic,)
    )
    consumer = DEFINITION.consumer(subscription, pool, broker, settings)
    consumer.subscribe(topic)
    try:
        yield broker, consumer
    finally:
        await broker.stop()
        await pool.close()


async def projection_rate(
    bootstrap: str, database_url: str, expected: int, group: str | None = None
) -> float:
    """The portfolio's consumer of enrollment events, as it runs in the service: events per
    second from the first transaction's commit to the last (every event has its journal
    row), so that joining the consumer group is left out, as the Connect worker's start-up
    is. Done when the group has committed the topic's end, asked once a second."""
    await migrate(database_url, database_migrations(DEFINITION))
    async with (
        portfolio_consumer(bootstrap, database_url, group) as (broker, consumer),
        GroupWatch(bootstrap, consumer.group, [ENROLLMENTS]) as watch,
    ):
        await watch.mark_end()
        await broker.start()
        await landed.until(watch.caught_up, "the projection")
    span = await landed.commit_span(database_url, "journal")
    if span.rows != expected:
        raise RuntimeError(f"the journal holds {span.rows} events, not {expected}")
    return span.per_second()
