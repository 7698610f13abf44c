"""The benchmarks' own Kafka and PostgreSQL (never the demo's or the tests'), and fresh
topics and databases for each measurement."""

import asyncio
import shutil

from contracts.topics import all_topics
from huisacademie import stack
from huisacademie.stack import StackLayout, repo_root
from huisacademie.stack import topics as stack_topics
from huisacademie.stack.databases import recreate_database

LAYOUT = StackLayout(
    root=repo_root() / ".local" / "bench", kafka_port=49092, controller_port=49093, pg_port=45433
)
BOOTSTRAP = LAYOUT.kafka_bootstrap


def start() -> None:
    """A broker with empty logs (nothing left from an earlier run) and PostgreSQL."""
    stack.ensure_postgres_installed()
    stack.start_postgres(LAYOUT, [])
    stack.ensure_kafka_jars()
    stack.stop_kafka(LAYOUT)
    shutil.rmtree(LAYOUT.root / "kafka", ignore_errors=True)
    stack.start_kafka(LAYOUT, all_topics())


def stop() -> None:
    stack.stop_kafka(LAYOUT)
    stack.stop_postgres(LAYOUT)


async def topic(name: str, partitions: int = 6) -> str:
    for _ in range(150):
        if await stack_topics.create_topics(BOOTSTRAP, {name: partitions}):
            return name
        await asyncio.sleep(0.2)
    raise RuntimeError(f"topic {name}: no leader for every partition")


async def fresh_database(name: str) -> str:
    return await recreate_database(LAYOUT.database_url("postgres"), name)
