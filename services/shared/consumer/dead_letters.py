"""Records nobody can use go to `<topic>.dlt`, with why and where they came from."""

from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker

from contracts.topics import dead_letter
from services.shared.logging import get_logger
from services.shared.metrics import EVENTS

log = get_logger(__name__)


def where(record: ConsumerRecord[bytes, bytes]) -> dict[str, object]:
    return {"topic": record.topic, "partition": record.partition, "offset": record.offset}


async def send(
    broker: KafkaBroker,
    consumer: str,
    record: ConsumerRecord[bytes, bytes],
    *,
    reason: str,
    error: BaseException,
    attempts: int,
) -> None:
    """Publish the record as it came, with the dlt_* headers; raises when the broker is
    out of reach (the caller reads the record again rather than commit past it)."""
    headers = {k: (v or b"").decode(errors="replace") for k, v in record.headers}
    headers.update(
        {
            "dlt_reason": reason[:1000],
            "dlt_exception": type(error).__name__,
            "dlt_attempts": str(attempts),
            "dlt_consumer": consumer,
            "dlt_original_topic": record.topic,
            "dlt_original_partition": str(record.partition),
            "dlt_original_offset": str(record.offset),
            "dlt_time": datetime.now(UTC).isoformat(),
        }
    )
    await broker.publish(
        record.value or b"", dead_letter(record.topic), key=record.key, headers=headers
    )
    EVENTS.labels(consumer, "dead_lettered").inc()
    log.warning(
        "event_dead_lettered", **where(record), event_id=headers.get("ce_id"), reason=reason
    )
