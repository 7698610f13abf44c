"""The key store out of reach is an outage, whatever the service's own database says: an
event is read again and again, never dead-lettered; a request answers 503 (services/
shared/failures.py, consumer/retry.py)."""

import pytest

from services.shared.consumer.retry import ReadAgain, RetryPolicy
from services.shared.failures import Failure, classify
from services.shared.privacy.keys import KeyStoreUnavailable

pytestmark = pytest.mark.unit


async def test_a_key_store_away_never_spends_an_events_tries() -> None:
    async def database_answers() -> bool:
        return True  # the service's own database is fine

    policy = RetryPolicy(max_attempts=2, database_answers=database_answers)
    away = KeyStoreUnavailable("the key store did not answer")
    assert classify(away) is Failure.OUTAGE
    for _ in range(10):  # far beyond max_attempts
        with pytest.raises(ReadAgain) as again:
            await policy.after(("portfolio.entries", 0, 7), away)
        assert again.value.failure == "outage"


async def test_an_error_of_the_event_itself_still_runs_out_of_tries() -> None:
    async def database_answers() -> bool:
        return True

    policy = RetryPolicy(max_attempts=2, database_answers=database_answers)
    assert await policy.after(("portfolio.entries", 0, 8), ValueError("bad data")) == 1
