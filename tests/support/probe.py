"""A test-only event on a test-only topic, for exercising the plumbing in isolation."""

from typing import ClassVar
from uuid import UUID

from contracts import Event

PROBE_TOPIC = "it.probe"


class Probe(Event):
    ce_type: ClassVar[str] = "nl.huisacademie.test.probe.v1"
    topic: ClassVar[str] = PROBE_TOPIC
    run: UUID
    n: int
    padding: str = ""

    def key(self) -> str:
        return str(self.run)
