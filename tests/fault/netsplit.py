"""A TCP proxy in front of every listener of the fault tests' Kafka cluster, which can cut one
node off from the others and from the clients: a network partition.

Each node listens 50 ports above its advertised address (StackLayout.proxied); the proxy
takes the advertised ports, so every connection to a node, from a client, a broker or a
controller, passes it. A connection is also known by the node that opened it (the owner of
its socket, from /proc), so a cut stops what the node sends as well as what it receives.
A cut is a black hole, as a partition is: nothing is closed, bytes stop flowing and
peers find out by their own timeouts. Healing closes the connections that were cut
(their streams lost bytes) and lets new ones through.

Run as ``python -m tests.fault.netsplit <control port>``; the control port takes the lines
``cut <node id>`` and ``heal``, and answers ``ok``."""

import asyncio
import contextlib
import os
import sys
from dataclasses import dataclass, field
from functools import partial

from huisacademie.stack.processes import process_status
from tests.fault.lab import CLUSTER

CHUNK = 64 * 1024
ESTABLISHED = "01"


@dataclass(eq=False)
class Link:
    """One proxied connection: the node it goes to, the node that opened it (None: a
    client), and both of its streams."""

    target: int
    owner: int | None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    severed: bool = False

    def close(self) -> None:
        for writer in self.writers:
            writer.close()


def owner_of(port: int, proxy_port: int) -> int | None:
    """The cluster node whose process holds the connected socket from local `port` to
    `proxy_port` (the far end of a connection the proxy accepted), or None when no node does
    (a client). Both tables: a JVM's sockets are IPv6 ones, with IPv4-mapped addresses."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                if (
                    state == ESTABLISHED
                    and inode != "0"
                    and int(local.rsplit(":", 1)[1], 16) == port
                    and int(remote.rsplit(":", 1)[1], 16) == proxy_port
                ):
                    inodes.add(f"socket:[{inode}]")
    if not inodes:
        return None
    for node in CLUSTER.kafka_nodes:
        pid = process_status(node.process, CLUSTER)
        if pid is None:
            continue
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return node.id
    return None


class Netsplit:
    def __init__(self) -> None:
        self.cut: int | None = None
        self.healed = asyncio.Event()
        self.healed.set()
        self.links: set[Link] = set()

    def cuts(self, link: Link) -> bool:
        return self.cut is not None and self.cut in (link.target, link.owner)

    async def serve(self, control_port: int) -> None:
        for node in CLUSTER.kafka_nodes:
            for listen, real in (
                (node.advertised_port, node.port),
                (node.advertised_controller_port, node.controller_port),
            ):
                accept = partial(self._accept, node.id, real)
                await asyncio.start_server(accept, "127.0.0.1", listen)
        control = await asyncio.start_server(self._control, "127.0.0.1", control_port)
        print(f"netsplit: proxying {len(CLUSTER.kafka_nodes)} nodes", flush=True)
        await control.serve_forever()

    async def _control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async for line in reader:
            words = line.decode().split()
            if words[:1] == ["cut"] and len(words) == 2:
                self.cut = int(words[1])
                self.healed.clear()
            elif words == ["heal"]:
                self.cut = None
                self.healed.set()
                for link in [link for link in self.links if link.severed]:
                    link.close()
            print(f"netsplit: {' '.join(words)} ({len(self.links)} connections)", flush=True)
            writer.write(b"ok\n")
            await writer.drain()
        writer.close()

    async def _accept(
        self, target: int, real: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer_port, proxy_port = (
            writer.get_extra_info("peername")[1],
            writer.get_extra_info("sockname")[1],
        )
        link = Link(target, await asyncio.to_thread(owner_of, peer_port, proxy_port), [writer])
        self.links.add(link)
        try:
            while self.cuts(link):  # a partition: the connection is taken, nothing answers
                await self.healed.wait()
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", real)
            except OSError:
                return  # the node is down: the client sees its connection closed
            link.writers.append(up_writer)
            await asyncio.gather(
                self._pump(link, reader, up_writer), self._pump(link, up_reader, writer)
            )
        finally:
            link.close()
            self.links.discard(link)

    async def _pump(
        self, link: Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while data := await reader.read(CHUNK):
                if self.cuts(link):
                    link.severed = True  # bytes dropped: the stream is lost, closed at heal
                    await self.healed.wait()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            link.close()


if __name__ == "__main__":
    asyncio.run(Netsplit().serve(int(sys.argv[1])))
