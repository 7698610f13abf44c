"""The faults a cluster brings, under a steady load on three Kafka nodes (replication factor
3, two replicas in sync for a write, no unclean leader election) and two instances of every
service: afterwards every accepted command's effect is in every read model exactly once.

`make test` runs each fault once, in one scenario; `make fault` (FAULT_LONG=1) each as a
scenario of its own, as many times as docs/reliability.md shows."""

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from contracts.topics import ENROLLMENTS
from tests.fault.conftest import Row
from tests.fault.lab import LONG, THIRD_PORTS, Lab, busiest_leader, in_sync, leads_nothing, until
from tests.fault.scenario import assert_exact, every, settle, under_load
from tests.support.seeds import seeded

pytestmark = pytest.mark.fault


@dataclass
class Faults:
    """What one scenario did to the cluster, as it went. Each fault waits until it took
    effect (leadership moved, a new controller elected), and each node that comes back, until
    every replica is in sync again: faults do not pile up into a two-node loss."""

    lab: Lab
    rng: random.Random
    notes: list[str]
    killed: int = 0
    """Service instances killed (-9) on purpose: the supervisor leaves them down."""

    @property
    def bootstrap(self) -> str:
        return self.lab.kafka_bootstrap

    def others(self, node: int) -> str:
        """The bootstrap addresses of every node but `node`: metadata asked of a cut node
        waits out its timeout (how long leadership took to move would count it)."""
        cut = next(n for n in self.lab.layout.kafka_nodes if n.id == node)
        return ",".join(
            address
            for address in self.bootstrap.split(",")
            if address != f"127.0.0.1:{cut.advertised_port}"
        )

    async def kill_busiest_leader(self, n: int) -> None:
        """kill -9 the node that leads the most partitions of the busiest topic (each
        person's enrolment events), then start it again."""
        node = await busiest_leader(self.bootstrap, ENROLLMENTS)
        await asyncio.to_thread(self.lab.kill_node, node)
        moved = await until(
            f"leadership off killed node {node}", lambda: leads_nothing(self.bootstrap, node), 60
        )
        await asyncio.sleep(self.rng.uniform(1, 4))
        await self._back(node, f"leader {node} (moved in {moved:.1f} s)")

    async def kill_active_controller(self, n: int) -> None:
        node = self.lab.active_controller()
        await asyncio.to_thread(self.lab.kill_node, node)

        async def elected() -> bool:
            return self.lab.active_controller() != node

        took = await until(f"a controller elected after {node}", elected, 60)
        await asyncio.sleep(self.rng.uniform(1, 4))
        await self._back(
            node, f"controller {node} ({self.lab.active_controller()} in {took:.1f} s)"
        )

    async def _back(self, node: int, note: str) -> None:
        await asyncio.to_thread(self.lab.restart_node, node)
        synced = await until("every replica in sync", lambda: in_sync(self.bootstrap), 180)
        self.notes.append(f"{note}, in sync {synced:.0f} s after restart")

    async def third_instance_joins_one_leaves(self, n: int) -> None:
        """A third instance of the portfolio and of enrollment joins their groups in the
        middle of the load; once partitions have moved to it, it leaves (SIGTERM, or kill -9
        every other time: its partitions wait out its session)."""
        joined = {f"{service}-3": service for service in ("portfolio", "enrollment")}
        for name, service in joined.items():
            self.lab.add(name, service, THIRD_PORTS[service])
            self.lab.start(name)
        await asyncio.sleep(self.rng.uniform(4, 8))
        for name in joined:
            if n % 2:
                await asyncio.to_thread(self.lab.terminate, name)
            else:
                self.lab.held.add(name)  # left down: not restarted by the supervisor
                self.killed += self.lab.kill(name)
        self.notes.append("joined and left" + (" (SIGTERM)" if n % 2 else " (kill -9)"))

    async def partition_busiest_leader(self, n: int) -> None:
        """Cut the busiest partitions' leader off from the other nodes and every client for
        longer than its session (the others fence it and elect new leaders), then heal."""
        node = await busiest_leader(self.bootstrap, ENROLLMENTS)
        await self.lab.cut(node)
        try:
            moved = await until(
                f"leadership off cut node {node}",
                lambda: leads_nothing(self.others(node), node),
                120,
            )
            await asyncio.sleep(self.rng.uniform(5, 12))
        finally:
            await self.lab.heal()
        synced = await until("every replica in sync", lambda: in_sync(self.bootstrap), 180)
        self.notes.append(f"partitioned {node} (moved in {moved:.1f} s, in sync {synced:.0f} s)")


Fault = Callable[[Faults], Callable[[int], Awaitable[None]]]
SCENARIOS: dict[str, tuple[str, int, Fault]] = {
    "leader": (
        "9. kill -9 the broker leading the busiest partitions", 10,
        lambda f: f.kill_busiest_leader,
    ),
    "controller": ("10. kill -9 the active controller", 5, lambda f: f.kill_active_controller),
    "instances": (
        "11. a third portfolio and enrollment join, one leaves", 10,
        lambda f: f.third_instance_joins_one_leaves,
    ),
    "partition": (
        "12. the busiest leader cut off by a network partition", 5,
        lambda f: f.partition_busiest_leader,
    ),
}  # fmt: skip


@pytest.mark.parametrize("kinds", [[k] for k in SCENARIOS] if LONG else [list(SCENARIOS)])
async def test_cluster_faults_lose_nothing(cluster_lab: Lab, row: Row, kinds: list[str]) -> None:
    lab = cluster_lab
    rng = seeded(f"fault: cluster {' '.join(kinds)}")
    notes: list[str] = []
    faults = Faults(lab, rng, notes)
    row["scenario"] = (
        SCENARIOS[kinds[0]][0] if LONG else "9-12. the cluster's faults, each once (short)"
    )
    injected = 0
    async with under_load(lab) as load:
        for kind in kinds:
            _, times, fault = SCENARIOS[kind]
            injected += await every(3 if LONG else 2, times if LONG else 1, fault(faults))
        await asyncio.sleep(3)
    outcome = await settle(lab, load)
    outcome.notes.append(", ".join(notes))
    row.update(outcome.figures(injected))
    assert_exact(outcome)
    assert outcome.dead_letters == []
    assert len(notes) == injected  # each fault saw itself take effect, or failed
