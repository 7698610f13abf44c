"""What kind of failure an exception is, which decides what a consumer does with the event."""

from enum import Enum

import asyncpg
from aiokafka.errors import KafkaError


class Failure(Enum):
    OUTAGE = "outage"
    """The database or the broker is unreachable: nothing the event did. Retried until it
    comes back, however long that takes: an outage never dead-letters events."""
    CONTENTION = "contention"
    """A deadlock or serialization failure: retried a few times, then dead-lettered."""
    PERMANENT = "permanent"
    """The event cannot be applied (invalid data, a rule it breaks, a bug): dead-lettered
    at once, so it does not block its partition; replay it after a fix."""


class DependencyAway(Exception):
    """A store other than the service's own database is out of reach (the key store): an
    outage whatever the service's database says."""


_OUTAGE = (
    DependencyAway,
    OSError,  # includes ConnectionError
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    # A pooled connection the server dropped mid-operation (a restart) is left in a state
    # asyncpg refuses to use: the next try takes a fresh connection.
    asyncpg.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, cannot connect now
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    KafkaError,
)


def classify(error: BaseException) -> Failure:
    if isinstance(error, asyncpg.exceptions.TransactionRollbackError):
        return Failure.CONTENTION
    if isinstance(error, _OUTAGE):
        return Failure.OUTAGE
    return Failure.PERMANENT
