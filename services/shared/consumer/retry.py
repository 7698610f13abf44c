"""What a consumer does when applying a record fails (see services.shared.failures):

- the database or broker is down (an outage): the record is read again with capped backoff
  for as long as the outage lasts; the retry budget is not spent, because the event is not
  at fault and dead-lettering every live event would be worse;
- a failure that might pass (a deadlock, a timeout or a dropped connection while the
  database answers): read again with backoff, at most `max_attempts` times, then
  dead-lettered, so a poison event blocks its partition no longer than that budget;
- anything else (invalid data, a broken rule): dead-lettered at once.
"""

from collections.abc import Awaitable, Callable, Iterable

from services.shared.failures import DependencyAway, Failure, classify

Position = tuple[str, int, int]
"""A record's topic, partition and offset."""


class ReadAgain(Exception):
    """The record is read again after `delay` seconds."""

    def __init__(self, failure: str, delay: float, error: BaseException) -> None:
        super().__init__(failure)
        self.failure, self.delay, self.error = failure, delay, error


class RetryPolicy:
    """Counts the tries of each record that failed, until it is done with."""

    def __init__(self, max_attempts: int, database_answers: Callable[[], Awaitable[bool]]):
        self._max_attempts = max_attempts
        self._database_answers = database_answers
        self._attempts: dict[Position, int] = {}
        self._outage_waits: dict[Position, int] = {}

    def failed_before(self, positions: Iterable[Position]) -> bool:
        """Whether any of these records failed before (it is being read again)."""
        return any(p in self._attempts or p in self._outage_waits for p in positions)

    def forget(self, positions: Iterable[Position]) -> None:
        """These records are done with: applied or dead-lettered."""
        for at in positions:
            self._attempts.pop(at, None)
            self._outage_waits.pop(at, None)

    async def after(self, at: Position, error: Exception) -> int:
        """Raises ReadAgain when the record should be read again; otherwise returns how
        many times it was tried, and the record goes to the dead-letter topic."""
        failure = classify(error)
        if failure is Failure.OUTAGE and (
            isinstance(error, DependencyAway) or not await self._database_answers()
        ):
            raise self.wait_out(at, error) from error
        attempts = self._attempts[at] = self._attempts.get(at, 0) + 1
        if failure is not Failure.PERMANENT and attempts < self._max_attempts:
            kind = "contention" if failure is Failure.CONTENTION else "transient"
            raise ReadAgain(kind, min(0.2 * 2**attempts, 10.0), error) from error
        return attempts

    def wait_out(self, at: Position, error: BaseException) -> ReadAgain:
        """An outage (or the dead-letter topic out of reach): read again, budget unspent."""
        waits = self._outage_waits[at] = self._outage_waits.get(at, 0) + 1
        return ReadAgain("outage", min(0.2 * 2**waits, 5.0), error)
