"""Topic creation against the local broker with aiokafka's admin client."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts.topics import dead_letter
from huisacademie.stack.layout import StackError, StackLayout
from services.shared.kafka_access import KafkaCredentials, kafka_options, servers

_TOPIC_ALREADY_EXISTS = 36
DEAD_LETTER_RETENTION = timedelta(days=30)
"""How long a dead letter waits to be seen to and replayed (`huisacademie dlt`), unless
DEAD_LETTER_RETENTION_DAYS says otherwise."""


def dead_letter_retention(env: Mapping[str, str] = os.environ) -> timedelta:
    days = env.get("DEAD_LETTER_RETENTION_DAYS")
    if days is None:
        return DEAD_LETTER_RETENTION
    if not days.isdigit() or not 1 <= int(days) <= 3650:
        raise StackError(f"DEAD_LETTER_RETENTION_DAYS: a number of days, 1 to 3650, not {days!r}")
    return timedelta(days=int(days))


DEAD_LETTER_SUFFIX = dead_letter("")


async def create_topics(
    bootstrap: str,
    wanted: Mapping[str, int],
    replication: int = 1,
    credentials: KafkaCredentials | None = None,
) -> bool:
    """Create the topics that are missing (name -> partitions); leave existing ones alone.
    Signs in as `credentials`, by default the process's own principal.

    Returns True once every wanted topic has a leader for each of its partitions.
    """
    admin = AIOKafkaAdminClient(
        bootstrap_servers=servers(bootstrap), request_timeout_ms=5000, **kafka_options(credentials)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(n, p, replication, topic_configs=_configs(n, replication))
            for n, p in wanted.items()
            if n not in existing
        ]
        # Dead letters made before they had a retention get it now.
        kept_forever = [n for n in wanted if n in existing and n.endswith(DEAD_LETTER_SUFFIX)]
        if kept_forever:
            await admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, n, _configs(n, replication))
                 for n in kept_forever]
            )  # fmt: skip
        if missing:
            response: Any = await admin.create_topics(missing, timeout_ms=10000)
            for name, code, *rest in response.topic_errors:
                if code not in (0, _TOPIC_ALREADY_EXISTS):
                    raise StackError(f"creating topic {name} failed: error {code} {rest}")
        if not wanted:
            return True
        described: list[dict[str, Any]] = await admin.describe_topics(list(wanted))
        return all(
            t["error_code"] == 0
            and len(t["partitions"]) >= 1
            and all(p["leader"] >= 0 for p in t["partitions"])
            for t in described
        )
    finally:
        await admin.close()


async def _ensure(
    bootstrap: str,
    wanted: dict[str, int],
    deadline: float,
    alive: Callable[[], int | None],
    credentials: KafkaCredentials | None,
    replication: int = 1,
) -> None:
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if alive() is None:
            raise StackError("the broker process exited")
        try:
            if await create_topics(bootstrap, wanted, replication, credentials):
                return
        except StackError:
            raise
        except Exception as exc:  # broker still starting: connection/metadata errors
            last = exc
        await asyncio.sleep(0.3)
    raise StackError(f"broker at {bootstrap} not ready in time (last error: {last!r})")


def ensure_topics(
    layout: StackLayout,
    topics: Sequence[tuple[str, int]],
    deadline: float,
    alive: Callable[[], int | None],
    credentials: KafkaCredentials | None = None,
) -> None:
    """Wait until the brokers answer, then create missing topics, each partition on every
    node (up to 3).

    Runs its own event loop in a worker thread, so it also works when called from async code.
    Topics that exist are left alone, even if their partition count differs.
    """
    wanted = dict(topics)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        ensured = _ensure(
            layout.kafka_bootstrap, wanted, deadline, alive, credentials, layout.replication
        )
        job = pool.submit(asyncio.run, ensured)
        job.result()


def _configs(name: str, replication: int) -> dict[str, str]:
    """Event topics keep their history (a rebuild replays it; Kafka's default is a week);
    dead letters are kept dead_letter_retention(), long enough to see to them, no longer.
    With replicas, a write is acknowledged only once two of them hold it."""
    kept = dead_letter_retention() if name.endswith(DEAD_LETTER_SUFFIX) else None
    configs = {"retention.ms": str(int(kept.total_seconds() * 1000)) if kept else "-1"}
    if replication > 1:
        configs["min.insync.replicas"] = "2"
    return configs
