"""The base of every public event."""

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """A fact that happened, in the past tense; immutable once published.

    Each concrete event names its CloudEvents type (versioned) and its topic, and says
    which id it is about: that id is the Kafka record key, so all events about one
    thing arrive in order.
    """

    # A tolerant reader: fields added later in the same version are ignored, not refused.
    # An error names the field and what is wrong, never the value: an event's text is
    # someone's, and errors reach logs and dead letters' reasons.
    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    ce_type: ClassVar[str]
    topic: ClassVar[str]
    replaces: ClassVar[tuple[str, ...]] = ()
    """Earlier versions of this event that are read as this one (upcasting): their bodies
    validate against this model."""
    personal: ClassVar[tuple[str, ...]] = ()
    """Fields holding what someone wrote or uploaded about the data subject: sealed with
    the data subject's key when the event leaves its service (contracts.personal). A
    field of each item of a tuple is named `items[].field`."""

    def key(self) -> str:
        """The partition key: the id of the aggregate this event is about."""
        raise NotImplementedError

    def subject(self) -> str:
        """The CloudEvents subject: what this event is about, within its source."""
        return self.key()

    def data_subject(self) -> UUID | None:
        """The staff member this event is about, whose key seals its `personal` fields
        (none: it is about no one person)."""
        return None

    def employee(self) -> UUID | None:
        """The person whose employer the event names (its `employer` field, where it has
        one): the staff member it is about, or the school leader who acted."""
        return self.data_subject()
