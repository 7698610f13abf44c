"""Input at the edges: what the contracts refuse, how sessions are ordered, and which
failures a consumer retries."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from pydantic import ValidationError

from contracts.values import CompetenceDomain, Findings, Session
from services.catalogue.api.schemas import OfferingPatch
from services.catalogue.domain import offerings as domain
from services.shared.failures import Failure, classify
from tests.support.factories import FIRST_SESSION, offering_details, session

pytestmark = pytest.mark.unit


def test_session_times_must_carry_a_time_zone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Session(starts_at=datetime(2025, 9, 1, 9), ends_at=datetime(2025, 9, 1, 11, tzinfo=UTC))


def test_domains_and_goal_tags_are_distinct() -> None:
    with pytest.raises(ValidationError, match="distinct"):
        offering_details(domains=(CompetenceDomain.PEDAGOGY, CompetenceDomain.PEDAGOGY))
    with pytest.raises(ValidationError, match="distinct"):
        offering_details(goal_tags=("reading", "reading"))


def test_findings_are_bounded() -> None:
    with pytest.raises(ValidationError):
        Findings(strengths=("x" * 2001,))
    with pytest.raises(ValidationError):
        Findings(improvements=tuple(f"point {n}" for n in range(51)))
    assert len(Findings(strengths=("x" * 2000,)).strengths[0]) == 2000


def test_a_patch_may_leave_fields_out_but_only_capacity_may_be_null() -> None:
    assert OfferingPatch.model_validate({"capacity": None}).model_fields_set == {"capacity"}
    with pytest.raises(ValidationError, match="title, visibility: may be left out, but not null"):
        OfferingPatch.model_validate({"title": None, "visibility": None})


def test_published_sessions_are_sorted_by_start() -> None:
    later, earlier = session(FIRST_SESSION + timedelta(days=7)), session(FIRST_SESSION)
    offering, event = domain.publish(offering_details(sessions=(later, earlier)))
    assert offering.details.sessions == (earlier, later)
    assert event.offering.sessions == (earlier, later)


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (ConnectionRefusedError(), Failure.OUTAGE),
        (TimeoutError(), Failure.OUTAGE),
        (asyncpg.exceptions.AdminShutdownError(), Failure.OUTAGE),
        (asyncpg.exceptions.CannotConnectNowError(), Failure.OUTAGE),
        (asyncpg.exceptions.TooManyConnectionsError(), Failure.OUTAGE),
        (asyncpg.exceptions.ConnectionDoesNotExistError(), Failure.OUTAGE),
        (KafkaConnectionError(), Failure.OUTAGE),
        (asyncpg.exceptions.DeadlockDetectedError(), Failure.CONTENTION),
        (asyncpg.exceptions.SerializationError(), Failure.CONTENTION),
        (asyncpg.exceptions.CheckViolationError(), Failure.PERMANENT),
        (ValueError("bad data"), Failure.PERMANENT),
        (KeyError(uuid4()), Failure.PERMANENT),
    ],
)
def test_failures_are_classified_for_retry_or_dead_letter(
    error: Exception, failure: Failure
) -> None:
    assert classify(error) is failure


def test_text_with_a_nul_character_is_refused() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        Findings(strengths=("good\x00",))
    with pytest.raises(ValidationError, match="NUL"):
        offering_details(title="Lezen\x00")
