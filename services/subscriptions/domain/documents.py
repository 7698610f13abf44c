"""An event as it leaves for a subscriber: a CloudEvents 1.0 document in structured mode
(JSON), exactly as stored (what people wrote stays sealed), signed by the Standard
Webhooks scheme."""

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

CONTENT_TYPE = "application/cloudevents+json"


@dataclass(frozen=True)
class StoredEvent:
    """An event as the service keeps it: its CloudEvents attributes and its data as JSON."""

    event_id: UUID
    type: str
    source: str
    subject: str
    time: datetime
    data: str
    staff_id: UUID | None = None


def cloudevent(event: StoredEvent) -> bytes:
    """The event as a CloudEvents structured-mode JSON document."""
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(event.event_id),
            "source": event.source,
            "type": event.type,
            "subject": event.subject,
            "time": event.time.isoformat(),
            "datacontenttype": "application/json",
            "data": json.loads(event.data),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
