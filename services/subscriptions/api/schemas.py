"""The subscriptions service's request and response bodies."""

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr

from contracts.values import Plain
from services.subscriptions.domain.addresses import MAX_URL
from services.subscriptions.domain.wanted import MAX_SCHOOLS, MAX_TYPES, Format


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class Credentials(_In):
    """HTTP basic credentials for a learning record store."""

    username: Plain = Field(min_length=1, max_length=200)
    password: SecretStr = Field(min_length=1, max_length=500)

    def pair(self) -> tuple[str, str]:
        return self.username, self.password.get_secret_value()


class SubscriptionIn(_In):
    url: Plain = Field(
        max_length=MAX_URL,
        description="Where deliveries go: a webhook receiver, or a learning record store's"
        " xAPI endpoint (…/xAPI/). https, outside the service's own network.",
        examples=["https://hr.voorbeeld.nl/huisacademie/events"],
    )
    format: Format = Format.WEBHOOK
    event_types: list[Plain] = Field(
        default=[],
        max_length=MAX_TYPES,
        description="CloudEvents types wanted; none: all (a learning record store: all it is"
        " sent statements for). Erasures always come.",
    )
    schools: list[UUID] = Field(
        default=[], max_length=MAX_SCHOOLS, description="Only these schools' events; none: all."
    )
    description: Plain = Field(default="", max_length=500)
    lrs: Credentials | None = Field(default=None, description="A learning record store's sign-in.")
    history: bool = Field(
        default=False,
        description="Also every kept event from before, in order, then live: asks the board's"
        " privacy officer's consent, and delivers nothing until it is given.",
    )


class SubscriptionChange(_In):
    url: Plain | None = Field(default=None, max_length=MAX_URL)
    event_types: list[Plain] | None = Field(default=None, max_length=MAX_TYPES)
    schools: list[UUID] | None = Field(default=None, max_length=MAX_SCHOOLS)
    description: Plain | None = Field(default=None, max_length=500)
    lrs: Credentials | None = None


class SubscriptionOut(BaseModel):
    id: UUID
    board_id: UUID
    schools: list[UUID]
    url: str
    format: Format
    event_types: list[str]
    description: str
    status: str = Field(
        description="active, paused, failing (see failing_reason) or awaiting_consent."
    )
    failing_reason: str | None
    history_from: datetime = Field(description="How far back a replay may go.")
    created_by: str
    created_at: datetime
    updated_at: datetime


class HistoryIn(_In):
    since: AwareDatetime | None = Field(
        default=None, description="None: from the first kept event."
    )


class HistoryRequestOut(BaseModel):
    id: UUID
    since: datetime | None
    requested_by: str
    requested_at: datetime
    consented_by: str | None
    consented_at: datetime | None
    queued: int | None = Field(description="Events queued once consent was given.")


class Created(SubscriptionOut):
    secret: str | None = Field(
        description="The signing secret (whsec_…), shown this once: verify every delivery with it."
    )
    history_request: HistoryRequestOut | None


class Rotated(BaseModel):
    secret: str = Field(description="The new signing secret, shown this once.")
    previous_valid_until: datetime = Field(
        description="Until then deliveries carry a signature by the previous secret too."
    )


class ReplayIn(_In):
    since: AwareDatetime


class Queued(BaseModel):
    queued: int


class Attempt(BaseModel):
    at: datetime
    status: int | None
    error: str | None
    duration_ms: float


class DeliveryOut(BaseModel):
    id: int
    event_id: UUID
    type: str
    event_time: datetime
    created_at: datetime
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime
    delivered_at: datetime | None
    tries: list[Attempt]

    @classmethod
    def of(cls, row: dict[str, Any]) -> "DeliveryOut":
        return cls.model_validate({**row, "tries": json.loads(str(row["tries"]))})
