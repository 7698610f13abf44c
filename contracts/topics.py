"""Topic names: one topic per aggregate stream, several event types per topic."""

from typing import Final

OFFERINGS: Final = "catalogue.offerings"
AUDITS: Final = "catalogue.audits"
PROGRAMMES: Final = "catalogue.programmes"
ENROLLMENTS: Final = "enrollment.enrollments"
PORTFOLIO: Final = "portfolio.entries"
SCHOOL_AUDITS: Final = "portfolio.school_audits"
ERASURES: Final = "privacy.erasures"

EVENT_TOPICS: Final = (
    OFFERINGS, AUDITS, PROGRAMMES, ENROLLMENTS, PORTFOLIO, SCHOOL_AUDITS, ERASURES
)  # fmt: skip
KEYS: Final = {
    OFFERINGS: "the offering id",
    AUDITS: "the audited school's id",
    PROGRAMMES: "the programme id",
    PORTFOLIO: "the staff member's id",
    SCHOOL_AUDITS: "the school's id",
    ENROLLMENTS: "the staff member's id (each person's events stay in order)",
    ERASURES: "the staff member's id",
}
PRODUCERS: Final = {
    OFFERINGS: "catalogue",
    AUDITS: "catalogue",
    PROGRAMMES: "catalogue",
    ENROLLMENTS: "enrollment",
    PORTFOLIO: "portfolio",
    SCHOOL_AUDITS: "portfolio",
    ERASURES: "portfolio",
}
"""The one service that publishes to each topic."""
PARTITIONS: Final = 6
DEAD_LETTER_PARTITIONS: Final = 1


def source_of(topic: str) -> str:
    """The CloudEvents source every event on `topic` carries: its producer's."""
    return f"/huisacademie/{PRODUCERS[topic]}"


def dead_letter(topic: str) -> str:
    """The dead-letter topic that receives the records of `topic` no consumer could use."""
    return f"{topic}.dlt"


def all_topics() -> list[tuple[str, int]]:
    """Every topic the system needs, with its partition count, for explicit creation."""
    return [(t, PARTITIONS) for t in EVENT_TOPICS] + [
        (dead_letter(t), DEAD_LETTER_PARTITIONS) for t in EVENT_TOPICS
    ]
