"""CPU time per process of the benchmarks' stack, from /proc: read before and after a
measured phase, so each figure is the CPU a phase cost per unit of work, process by
process (the services, PostgreSQL with all its backends, Kafka, Keycloak, and the
benchmark itself, which sends the load and reads the results)."""

import os
from collections.abc import Iterable
from pathlib import Path

from huisacademie import stack
from huisacademie.stack import StackLayout
from huisacademie.stack.keycloak import KEYCLOAK_PROCESS
from huisacademie.stack.postgres import postmaster_pid

TICKS = os.sysconf("SC_CLK_TCK")
CLIENT = "bench (load and probe)"


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def _seconds(pid: int) -> float:
    """The process's own CPU (user and system), with its children's that it waited for."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


def _postgres(layout: StackLayout) -> list[int]:
    """The postmaster and every backend it started."""
    postmaster = postmaster_pid(layout)
    if postmaster is None:
        return []
    children = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and (fields := _stat(int(entry.name))) is not None
        and int(fields[1]) == postmaster
    ]
    return [postmaster, *children]


def snapshot(layout: StackLayout, services: Iterable[str]) -> dict[str, float]:
    """CPU seconds so far, by process."""
    found: dict[str, float] = {}
    for name in (*services, "kafka", KEYCLOAK_PROCESS):
        pid = stack.process_status(name, layout)
        if pid is not None:
            found[name] = _seconds(pid)
    found["postgres"] = sum(_seconds(pid) for pid in _postgres(layout))
    found[CLIENT] = _seconds(os.getpid())
    return found


def per_unit_ms(before: dict[str, float], after: dict[str, float], units: int) -> dict[str, float]:
    """Milliseconds of CPU per unit of work, by process, between two snapshots."""
    return {
        name: round((after[name] - before.get(name, 0.0)) * 1000 / max(units, 1), 2)
        for name in after
    }
