"""The broker's own access control (TLS, SASL/SCRAM-SHA-512, the StandardAuthorizer's ACLs
of huisacademie/stack/acls.py) on the test stack's broker: an external tool's principal
reads what it was granted and nothing else, and writes nothing; a service cannot forge
another's events; an event claiming a foreign source is dead-lettered by its consumer."""

import secrets
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from contracts import topics
from huisacademie.stack import acls
from huisacademie.stack.kafka_access import OPERATOR, KafkaAccess
from services.shared.kafka_access import KafkaCredentials, kafka_options, servers
from tests.support.consuming import consuming
from tests.support.factories import completion
from tests.support.infra import Infrastructure
from tests.support.kafka import as_record, eventually, produce, read_all

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def access(infrastructure: Infrastructure) -> KafkaAccess:
    if infrastructure.kafka_access is None:
        pytest.skip("the broker of this run takes no sign-in (no ACLs to check)")
    return infrastructure.kafka_access


@pytest.fixture
def subscriber(infrastructure: Infrastructure, access: KafkaAccess) -> Iterator[KafkaCredentials]:
    """An external tool's principal, granted the portfolio's entries only."""
    name, password = f"tool-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    admin = acls.admin_client(infrastructure.kafka_bootstrap, access.credentials(OPERATOR))
    acls.add_subscriber(admin, name, password, [topics.PORTFOLIO])
    yield KafkaCredentials(name, password, str(access.tls.ca))
    acls.remove_subscriber(admin, name)


async def _read_one(bootstrap: str, topic: str, who: KafkaCredentials, group: str) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=servers(bootstrap),
        group_id=group,
        auto_offset_reset="earliest",
        request_timeout_ms=10_000,
        **kafka_options(who),
    )
    await consumer.start()
    try:
        await consumer.getmany(timeout_ms=3000)
    finally:
        await consumer.stop()


async def _send(bootstrap: str, topic: str, who: KafkaCredentials) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=servers(bootstrap), request_timeout_ms=10_000, **kafka_options(who)
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}")
    finally:
        await producer.stop()


async def test_a_subscriber_reads_what_it_was_granted_in_its_own_groups_only(
    infrastructure: Infrastructure, subscriber: KafkaCredentials
) -> None:
    bootstrap = infrastructure.kafka_bootstrap
    await _read_one(bootstrap, topics.PORTFOLIO, subscriber, f"{subscriber.username}.reader")
    with pytest.raises(KafkaError):  # another's consumer group
        await _read_one(bootstrap, topics.PORTFOLIO, subscriber, "portfolio.enrollments")
    with pytest.raises(TopicAuthorizationFailedError):
        await _read_one(bootstrap, topics.ENROLLMENTS, subscriber, f"{subscriber.username}.x")


async def test_a_subscriber_produces_to_no_event_topic(
    infrastructure: Infrastructure, subscriber: KafkaCredentials
) -> None:
    for topic in topics.EVENT_TOPICS:
        with pytest.raises(TopicAuthorizationFailedError):
            await _send(infrastructure.kafka_bootstrap, topic, subscriber)


async def test_a_removed_subscriber_can_no_longer_sign_in(
    infrastructure: Infrastructure, access: KafkaAccess
) -> None:
    name, password = f"tool-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    admin = acls.admin_client(infrastructure.kafka_bootstrap, access.credentials(OPERATOR))
    acls.add_subscriber(admin, name, password, [topics.PORTFOLIO])
    tool = KafkaCredentials(name, password, str(access.tls.ca))
    await _read_one(infrastructure.kafka_bootstrap, topics.PORTFOLIO, tool, f"{name}.r")
    assert acls.remove_subscriber(admin, name) == 4  # read and describe, topic and groups
    with pytest.raises(KafkaError):
        await _read_one(infrastructure.kafka_bootstrap, topics.PORTFOLIO, tool, f"{name}.r")


async def test_a_service_cannot_publish_another_services_events(
    infrastructure: Infrastructure, access: KafkaAccess
) -> None:
    """A forged Completed (which adds hours to a dossier) from the catalogue's principal."""
    forged = completion(uuid.uuid4(), source="/huisacademie/enrollment")
    key, value, headers = as_record(forged)
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(
            infrastructure.kafka_bootstrap,
            topics.ENROLLMENTS,
            [(key, value, headers)],
            as_principal=access.credentials("catalogue"),
        )
    for service, own in (("catalogue", topics.OFFERINGS), ("portfolio", topics.PORTFOLIO)):
        await _send(infrastructure.kafka_bootstrap, own, access.credentials(service))


async def test_an_event_claiming_a_foreign_source_is_dead_lettered(
    infrastructure: Infrastructure, access: KafkaAccess, pool: asyncpg.Pool
) -> None:
    """Enrollment's principal may write its topic; what it writes must still say it is
    enrollment's: a Completed claiming to come from the catalogue is refused by the reader."""
    claimed = completion(uuid.uuid4(), source="/huisacademie/catalogue")
    bootstrap = infrastructure.kafka_bootstrap
    async with consuming(infrastructure, pool, topics.ENROLLMENTS):
        await produce(
            bootstrap, topics.ENROLLMENTS, [as_record(claimed)],
            as_principal=access.credentials("enrollment"),
        )  # fmt: skip

        async def dead_lettered() -> str | None:
            for record in await read_all(bootstrap, topics.dead_letter(topics.ENROLLMENTS)):
                headers: dict[str, str] = {k: v.decode() for k, v in record.headers}
                if headers.get("ce_id") == str(claimed.id):
                    return headers["dlt_reason"]
            return None

        reason = await eventually(dead_lettered, within=60)
    assert "ce_source '/huisacademie/catalogue'" in reason
    assert "producer of enrollment.enrollments" in reason
    seen = await pool.fetchval(
        "SELECT count(*) FROM effects WHERE staff_id = $1",
        claimed.data.staff_id,  # type: ignore[attr-defined]
    )
    assert seen == 0
