"""What a person wrote or uploaded about a staff member, as it travels: sealed with that
staff member's own key, so that erasing them (destroying the key) makes every copy on
every topic unreadable at once.

Facts that are not free text (hours, dates, offerings, statuses) stay readable to every
subscriber. An event names its sealed fields in `personal`; inside the service that
writes them they hold the text, and they are sealed where events leave it (the outbox).
"""

import base64
import binascii
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from contracts.values import Plain

ALGORITHM = "A256GCM"


def _bytes(value: object) -> bytes:
    """Raw bytes as given inside a service; base64 text as read from JSON."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as e:
            raise ValueError(f"not base64: {e}") from e
    raise ValueError("expected base64 text")


Base64 = Annotated[
    bytes,
    PlainValidator(_bytes),
    PlainSerializer(lambda b: base64.b64encode(b).decode(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]


class Sealed(BaseModel):
    """Text encrypted with AES-256-GCM under the key of the staff member it is about.

    The additional authenticated data is the event's `ce_id` and the field's name, so a
    sealed text cannot be moved to another event or field. Without the key (the staff
    member was erased) it reads as erased: never a reason to refuse the event."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    sealed: Literal["A256GCM"] = Field(description="The algorithm: AES-256-GCM.")
    subject: UUID = Field(description="Whose key: the staff member the text is about.")
    nonce: Base64 = Field(min_length=12, max_length=12, description="96 bits, base64.")
    ciphertext: Base64 = Field(
        min_length=16, description="The text as UTF-8, encrypted, with its 16-byte tag; base64."
    )


def _http_url(value: str) -> str:
    return str(AnyHttpUrl(value))


# What someone wrote, by length: the text inside a service, Sealed on the wire.
WrittenLink = Annotated[Plain, Field(max_length=2000), AfterValidator(_http_url)] | Sealed
WrittenTitle = Annotated[Plain, Field(min_length=1, max_length=200)] | Sealed
WrittenShort = Annotated[Plain, Field(max_length=200)] | Sealed
WrittenReason = Annotated[Plain, Field(max_length=2000)] | Sealed
WrittenDescription = Annotated[Plain, Field(max_length=5000)] | Sealed
WrittenNote = Annotated[Plain, Field(min_length=1, max_length=10_000)] | Sealed


def clear(value: object) -> str:
    """The text, or "" where it is still sealed (its reader holds no key for it: the person
    was erased, or the text is not the reader's to read) or absent."""
    return "" if value is None or isinstance(value, Sealed) else str(value)
