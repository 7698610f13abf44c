"""Faults injected under a steady load, on real Kafka and PostgreSQL: afterwards every
accepted command's effect is in every read model exactly once.

`make test` runs a short version; `make fault` (FAULT_LONG=1) the long one, whose figures
go to docs/reliability.md.
"""

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from contracts import topics
from contracts.catalogue import CourseOffered
from contracts.enrollment import Completed, Enrolled
from huisacademie import stack
from huisacademie.identity import MONITORING_CLIENT, MONITORING_SECRET
from huisacademie.system import SERVICES
from services.shared.identity.access import Role
from services.shared.kafka_access import kafka_options, servers
from tests.fault.conftest import Row
from tests.fault.lab import LONG, SECOND_PORTS, SUBSCRIPTIONS, Lab
from tests.fault.scenario import assert_exact, every, settle, under_load, wait_ready
from tests.support.kafka import read_all
from tests.support.seeds import seeded

pytestmark = pytest.mark.fault


async def test_the_broker_killed_again_and_again_loses_nothing(lab: Lab, row: Row) -> None:
    row["scenario"] = "1. kill -9 the Kafka broker"
    kills = 22 if LONG else 2
    rng = seeded("fault: broker downtime")

    async def kill_and_restart(_: int) -> None:
        await asyncio.to_thread(lab.kill_kafka)
        await asyncio.sleep(rng.uniform(0.5, 3))
        await asyncio.to_thread(lab.start_kafka)

    async with under_load(lab) as load:
        injected = await every(4, kills, kill_and_restart)
        await asyncio.sleep(3)
    outcome = await settle(lab, load)
    row.update(outcome.figures(injected))
    assert_exact(outcome)
    assert outcome.dead_letters == []


async def test_services_killed_anywhere_lose_nothing(lab: Lab, row: Row) -> None:
    """Killed from outside at random moments, and by failpoints between the relay's publish
    and its mark-sent and between a consumer's commit and its offset commit."""
    row["scenario"] = "2. kill -9 each service"
    kills = 21 if LONG else 3
    lab.failpoints = "relay.after_publish=0.02,consumer.after_commit=0.1"
    fired_before = _failpoints_fired(lab)
    landed = 0

    async def kill(n: int) -> None:
        nonlocal landed
        landed += lab.kill(SERVICES[n % len(SERVICES)])

    async with under_load(lab) as load:
        await every(3, kills, kill)
        await asyncio.sleep(3)
    outcome = await settle(lab, load)
    fired = _failpoints_fired(lab) - fired_before
    outcome.notes.append(f"{landed} kills from outside, {fired.total()} by failpoints")
    row.update(outcome.figures(landed + fired.total()))
    # Every death is one the test caused: a kill that landed, or a failpoint that fired.
    assert_exact(outcome, deaths=landed + fired.total())
    assert outcome.dead_letters == []
    assert landed >= kills - 1, f"only {landed} of {kills} kills found a process"
    # Both failpoints fire many times in the long run; the short one is too short to
    # be sure of both, so it asks for one.
    if LONG:
        assert fired["relay.after_publish"] >= 1, fired
        assert fired["consumer.after_commit"] >= 1, fired
    else:
        assert fired.total() >= 1, fired


def _failpoints_fired(lab: Lab) -> Counter[str]:
    fired: Counter[str] = Counter()
    for log in lab.layout.logs_dir.glob("*.log"):
        for point in ("relay.after_publish", "consumer.after_commit"):
            fired[point] += log.read_text(errors="replace").count(f'"failpoint": "{point}"')
    return fired


async def test_postgres_restarted_during_load_loses_nothing(lab: Lab, row: Row) -> None:
    row["scenario"] = "3. restart PostgreSQL"
    restarts = 6 if LONG else 2

    async def restart(_: int) -> None:
        await asyncio.to_thread(lab.restart_postgres)

    async with under_load(lab) as load:
        injected = await every(4, restarts, restart)
        await asyncio.sleep(3)
    outcome = await settle(lab, load)
    row.update(outcome.figures(injected))
    assert_exact(outcome)
    assert outcome.dead_letters == [], "an outage must not dead-letter events"


DUPLICATES = 10_000 if LONG else 300
"""At least this many records delivered again (the reliability goals' 10,000 in the long run):
every event published once more, and again, until they add up."""


async def test_every_event_delivered_again_and_reshuffled_counts_once(lab: Lab, row: Row) -> None:
    row["scenario"] = "4. every event delivered again, reshuffled"
    async with under_load(lab) as load:
        await asyncio.sleep(20 if LONG else 6)
    bootstrap = lab.kafka_bootstrap
    records = [
        (topic, r) for topic in topics.EVENT_TOPICS for r in await read_all(bootstrap, topic)
    ]
    rounds = -(-DUPLICATES // len(records))
    again = [record for _ in range(rounds) for record in records]
    seeded("fault: reshuffle").shuffle(again)  # another interleaving, across partitions too
    producer = AIOKafkaProducer(
        bootstrap_servers=servers(bootstrap), enable_idempotence=True, **kafka_options()
    )
    await producer.start()
    try:
        await asyncio.gather(
            *[
                await producer.send(topic, r.value, key=r.key, headers=list(r.headers))
                for topic, r in again
            ]
        )
    finally:
        await producer.stop()
    outcome = await settle(lab, load)
    outcome.notes.append(
        f"{len(again)} duplicates: every event published {rounds} more time(s), shuffled"
    )
    figures = outcome.figures(len(again))
    row.update(figures)
    assert_exact(outcome)
    assert outcome.published_twice == outcome.sent  # the second copies really went out
    assert outcome.dead_letters == []


# Who reads which topic: each bad record is dead-lettered once by every group reading it
# (the portfolio and the web application read enrollment's; enrollment and the web the
# catalogue's offerings).
READERS = {
    topic: sum(topic in s.topics for s in SUBSCRIPTIONS)
    for topic in (topics.ENROLLMENTS, topics.OFFERINGS)
}


def bad_records(count: int) -> list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]]:
    """Malformed and invalid records of every kind a consumer may meet, each marked."""
    envelope = [
        ("ce_specversion", b"1.0"),
        ("ce_source", b"/fault"),
        ("ce_time", b"2026-11-26T10:00:00+00:00"),
        ("content-type", b"application/json"),
    ]
    made, rng = [], seeded("fault: bad records")
    for n in range(count):
        topic = (topics.ENROLLMENTS, topics.OFFERINGS)[n % 2]
        probe = [("fault_probe", str(n).encode()), ("ce_id", str(uuid.uuid4()).encode())]
        typed = probe + envelope
        body = b'{"staff_id": "not a uuid"}'
        match n % 7:
            case 0:  # no headers at all, random bytes
                headers, body = probe[:1], rng.randbytes(64)
            case 1:  # a known type whose body breaks its schema
                headers = [*typed, ("ce_type", Completed.ce_type.encode())]
            case 2:  # not JSON
                headers, body = [*typed, ("ce_type", CourseOffered.ce_type.encode())], b"{no"
            case 3:
                headers = [*typed, ("ce_type", b"com.example.unknown.v1")]
            case 4:
                headers = [*probe, ("ce_specversion", b"0.3"), ("ce_type", b"x")]
            case 5:  # a header that is not UTF-8
                headers = [*typed, ("ce_type", b"\xff\xfe\xfa")]
            case _:
                headers = [
                    ("fault_probe", str(n).encode()),
                    *envelope,
                    ("ce_id", b"not-a-uuid"),
                    ("ce_type", Enrolled.ce_type.encode()),
                ]
        made.append((topic, str(uuid.uuid4()).encode(), body, headers))
    return made


async def test_bad_records_mixed_into_the_topics_all_end_as_dead_letters(
    lab: Lab, row: Row
) -> None:
    row["scenario"] = "5. 1,000 malformed or invalid records"
    bad = bad_records(1000)
    async with under_load(lab) as load:
        await asyncio.sleep(2)
        producer = AIOKafkaProducer(
            bootstrap_servers=servers(lab.kafka_bootstrap), **kafka_options()
        )
        await producer.start()
        try:
            for chunk in range(0, len(bad), 50):  # mixed in over a while, between good ones
                for topic, key, body, headers in bad[chunk : chunk + 50]:
                    await producer.send(topic, body, key=key, headers=headers)
                await producer.flush()
                await asyncio.sleep(0.1)
        finally:
            await producer.stop()
        await asyncio.sleep(2)
    outcome = await settle(lab, load)
    row.update(outcome.figures(len(bad)))
    assert_exact(outcome)
    assert outcome.topics.malformed == len(bad)
    letters = Counter(
        (letter["fault_probe"], letter["dlt_consumer"]) for letter in outcome.dead_letters
    )
    expected = sum(READERS[topic] for topic, *_ in bad)
    assert len(outcome.dead_letters) == expected
    assert set(letters.values()) == {1}, "a bad record was dead-lettered twice by one group"
    assert all(letter["dlt_reason"] for letter in outcome.dead_letters)
    assert {letter["dlt_original_topic"] for letter in outcome.dead_letters} == set(READERS)


async def test_two_relays_of_one_service_publish_each_event_once(lab: Lab, row: Row) -> None:
    row["scenario"] = "6. two outbox relays per service"
    for service in SERVICES:
        lab.add(f"{service}-2", service, SECOND_PORTS[service])
    async with under_load(lab) as load:
        await asyncio.sleep(15 if LONG else 6)
    outcome = await settle(lab, load)
    outcome.notes.append("two instances of every service, both taking commands")
    row.update(outcome.figures(len(SERVICES)))
    assert_exact(outcome)
    assert outcome.published_twice == 0


async def test_rebalances_with_batches_in_flight_lose_nothing(lab: Lab, row: Row) -> None:
    """Second instances of the portfolio and of enrollment join their consumer groups and
    leave them (SIGTERM, or kill -9: their partitions wait out the session) under load, so
    partitions change hands while batches are being applied. A consumer that lost its
    partitions finds its stored offsets overtaken and rolls back; the new owner seeks to
    what is stored (services/shared/consumer/offsets.py)."""
    row["scenario"] = "8. rebalances with batches in flight"
    rounds = 10 if LONG else 2
    rng = seeded("fault: rebalances")
    churned = {f"{service}-2": service for service in ("portfolio", "enrollment")}
    killed = 0

    async def churn(n: int) -> None:
        nonlocal killed
        for name, service in churned.items():
            lab.add(name, service, SECOND_PORTS[service])
            lab.start(name)
        await asyncio.sleep(rng.uniform(3, 6))  # joined: partitions handed over to them
        for name in churned:
            if n % 2:
                await asyncio.to_thread(lab.terminate, name)
            else:
                lab.held.add(name)  # left down: not restarted by the supervisor
                killed += lab.kill(name)

    async with under_load(lab) as load:
        injected = await every(2, rounds, churn)
        await asyncio.sleep(3)
    outcome = await settle(lab, load)
    overtaken = sum(
        log.read_text(errors="replace").count('"consumer_overtaken"')
        for log in lab.layout.logs_dir.glob("*.log")
    )
    outcome.notes.append(
        f"{2 * injected} joins and as many leaves ({killed} by kill -9);"
        f" {overtaken} batches rolled back as overtaken"
    )
    row.update(outcome.figures(2 * injected))
    assert_exact(outcome)
    assert outcome.dead_letters == []


async def test_sigterm_with_messages_in_flight_loses_nothing(lab: Lab, row: Row) -> None:
    row["scenario"] = "7. SIGTERM with messages in flight"
    terms = 21 if LONG else 3
    took: list[float] = []

    async def terminate(n: int) -> None:
        name = SERVICES[n % len(SERVICES)]
        took.append(await asyncio.to_thread(lab.terminate, name))
        lab.start(name)

    async with under_load(lab) as load:
        injected = await every(2, terms, terminate)
        await asyncio.sleep(2)
    outcome = await settle(lab, load)
    outcome.notes.append(f"slowest exit after SIGTERM {max(took):.1f} s")
    row.update(outcome.figures(injected))
    assert_exact(outcome)
    assert outcome.dead_letters == []
    assert max(took) < 40, took
    assert outcome.published_twice == 0, "a graceful stop sent an event twice"


async def test_a_service_starts_while_kafka_and_postgres_are_down(lab: Lab) -> None:
    """It answers at once, takes commands when the database returns (the outbox keeps the
    events while Kafka is down) and publishes them when Kafka returns."""
    board = str(uuid.uuid4())  # who acts is in the directory, on PostgreSQL: before it stops
    board_admin = await asyncio.to_thread(lab.people.board_admin, board)
    monitoring = await asyncio.to_thread(
        lab.people.client, MONITORING_CLIENT, MONITORING_SECRET, None, Role.OPERATOR
    )
    await asyncio.to_thread(lab.kill_kafka)
    await asyncio.to_thread(stop_postgres, lab)
    for name in lab.instances:
        lab.start(name)
    url = lab.url("catalogue")
    async with board_admin.async_http(timeout=5) as http:
        live = await _eventually(http, f"{url}/health/live", 200)
        assert live.json() == {"status": "alive"}
        ready = await http.get(f"{url}/health/ready")
        assert ready.status_code == 503 and "not reached" in ready.json()["database"]
        academy = {"name": "A", "board_id": board}
        refused = await http.post(f"{url}/academies", json=academy)
        assert refused.status_code == 503 and "database" in refused.json()["detail"]

        await asyncio.to_thread(lab.restart_postgres)
        made = await _eventually(http, f"{url}/academies", 201, academy)
    admin = await asyncio.to_thread(lab.people.academy_admin, board, made.json()["academy_id"])
    async with admin.async_http(timeout=5) as http, monitoring.async_http(timeout=5) as ops:
        offering = await http.post(f"{url}/offerings", json=_offering(made.json()))
        assert offering.status_code == 201, offering.text
        # Ready for traffic while Kafka is away (the outbox holds the event); the consumers'
        # health, apart from it, says what they wait for.
        ready = await http.get(f"{url}/health/ready")
        assert ready.status_code == 200 and ready.json()["outbox_backlog"]["pending"] >= 1
        waiting = await http.get(f"{url}/health/consumers")
        assert waiting.status_code == 503, waiting.text
        assert (waiting.json()["database"], waiting.json()["broker"]) == ("ok", "unavailable")
        metrics = (await ops.get(f"{url}/metrics")).text
        assert 'huisacademie_outbox_rows{state="pending"}' in metrics

        await asyncio.to_thread(lab.start_kafka)
        await wait_ready(lab)
        backlog = (await http.get(f"{url}/health/ready")).json()["outbox_backlog"]
        for _ in range(100):
            if backlog["pending"] == 0:
                break
            await asyncio.sleep(0.2)
            backlog = (await http.get(f"{url}/health/ready")).json()["outbox_backlog"]
        assert backlog == {"pending": 0, "parked": 0}
        assert "huisacademie_consumer_lag{" in (await ops.get(f"{url}/metrics")).text
    offering_id = offering.json()["offering_id"]
    records = await read_all(lab.kafka_bootstrap, topics.OFFERINGS)
    assert [r for r in records if r.key == offering_id.encode()]


def _offering(academy: dict[str, Any]) -> dict[str, Any]:
    return {
        "academy_id": academy["academy_id"],
        "title": "Published while Kafka was down",
        "kind": "workshop",
        "study_hours": 3,
        "sessions": [],
        "domains": ["pedagogy"],
    }


def stop_postgres(lab: Lab) -> None:
    stack.stop_postgres(lab.layout)


async def _eventually(
    http: httpx.AsyncClient, url: str, status: int, body: Any = None, within: float = 60
) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            response = await (http.post(url, json=body) if body else http.get(url))
            if response.status_code == status:
                return response
        except httpx.TransportError:
            pass
        assert asyncio.get_running_loop().time() < deadline, f"{url} never answered {status}"
        await asyncio.sleep(0.2)
