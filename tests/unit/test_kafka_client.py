"""The workaround for aiokafka under uvloop: a send on a connection the broker closed is a
broken connection aiokafka recovers from, not the end of a consumer's coordinator."""

import asyncio

import pytest
from aiokafka import errors
from aiokafka.conn import AIOKafkaConnection
from aiokafka.protocol.metadata import MetadataRequest

from services.shared.kafka_client import recover_closed_connections

pytestmark = pytest.mark.unit

CLOSED = "unable to perform operation on <TCPTransport closed=True>; the handler is closed"


class Writer:
    """What uvloop's transport does once the broker closed the connection."""

    def __init__(self, error: str) -> None:
        self.error = error

    def write(self, data: bytes) -> None:
        raise RuntimeError(self.error)

    def close(self) -> None:
        pass


def connection(writer: Writer) -> AIOKafkaConnection:
    """A connection as it stands after the handshake, its transport now closed."""
    conn = AIOKafkaConnection("127.0.0.1", 9)
    conn._versions = {MetadataRequest.API_KEY: (0, 5)}
    conn._reader, conn._writer = asyncio.StreamReader(), writer
    conn._read_task = asyncio.get_running_loop().create_future()
    return conn


async def test_a_send_on_a_closed_transport_is_a_broken_connection() -> None:
    recover_closed_connections()
    conn = connection(Writer(CLOSED))
    with pytest.raises(errors.KafkaConnectionError, match="broken"):
        conn.send(MetadataRequest([]))
    assert not conn.connected(), "closed, so the client connects again"


async def test_any_other_runtime_error_is_left_alone() -> None:
    recover_closed_connections()
    conn = connection(Writer("something else"))
    with pytest.raises(RuntimeError, match="something else"):
        conn.send(MetadataRequest([]))
