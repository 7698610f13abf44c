"""A workaround in aiokafka for uvloop, applied once per process before a broker starts.

Under uvloop, writing to a connection the broker has closed raises RuntimeError ("unable to
perform operation on <TCPTransport closed=True ...>; the handler is closed") where asyncio's
own loop raises OSError. aiokafka turns only OSError into a broken connection it recovers
from (aio-libs/aiokafka#1038, open): the RuntimeError ends a consumer's group coordinator
for good, and the consumer then fetches nothing until the process restarts (seen here
after broker restarts in the long fault run). Until aiokafka handles it, a send that meets
a closed transport closes the connection and raises the KafkaConnectionError aiokafka
raises for OSError, which it retries.
"""

from typing import Any

from aiokafka import errors
from aiokafka.conn import AIOKafkaConnection, CloseReason

_CLOSED = "handler is closed"
_original_send = AIOKafkaConnection.send


def _send(self: AIOKafkaConnection, request: Any, expect_response: bool = True) -> Any:
    try:
        return _original_send(self, request, expect_response)
    except RuntimeError as err:
        if _CLOSED not in str(err):
            raise
        self.close(reason=CloseReason.CONNECTION_BROKEN)
        raise errors.KafkaConnectionError(
            f"Connection at {self.host}:{self.port} broken: {err}"
        ) from err


def recover_closed_connections() -> None:
    """Make a send on a connection closed under uvloop a broken connection aiokafka
    recovers from (idempotent)."""
    AIOKafkaConnection.send = _send
