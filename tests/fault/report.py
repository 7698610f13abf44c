"""docs/reliability.json and docs/reliability.md from the long fault run's figures.

Each row is recorded once its scenario has run (conftest's `row`), with its verdict and the
moment it was decided, and written with the commit it ran on (`-dirty` when the tree had
uncommitted changes): a scenario run again alone replaces its own row and leaves the
others with theirs."""

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from huisacademie.stack import repo_root

COMMAND = "make fault   # FAULT_LONG=1 pytest -m fault"
COLUMNS = ("verdict", "sent", "faults_injected", "lost", "double_counted", "dead_letters")

EXPLAINED = """
## What the figures show, and what they cannot

- `sent`: distinct valid events on the event topics at the end (a republished copy counts
  once). `faults_injected`: kills, restarts or records the scenario caused.
- `lost` and `double_counted` come from two kinds of check, both run twice, three seconds
  apart, once every instance reports an empty outbox and every consumer group has read to
  the end of its topics (both tallies must be exact):
  - **per event**: every event a service put in its outbox is on the topics (none lost in a
    relay); every event on the topics that a consumer should apply (its topics, a type in
    its handler map) is in that consumer's inbox, and the inbox holds nothing else; the
    portfolio's journal holds each event it applied. These show that each event was applied
    at least once; at most once is the inbox's key (consumer, event id), claimed in the
    transaction of the effect, and what would show an effect applied twice in spite of it
    is the effects themselves: the catalogue's seats per offering against the sum of its
    distinct seat events (Enrolled, EnrollmentCancelled, SeatsReserved,
    ReservationReleased), and one portfolio entry per enrollment. `events_checked` says how
    many events each outbox and each consumer was held to; `enrollment_events` how many
    Enrolled, EnrollmentCancelled and Completed there were.
  - **per command**: every command the load was told succeeded has its effect: the
    enrollment's status and hours, the portfolio's entry (one, with that status, hours and
    attendance) and the catalogue's seats per offering equal to the seats the accepted
    commands hold.
- The load: two workers enrol a new person and complete (or, one in five, cancel) the
  enrollment on offerings without a limit; one more works through rounds on an offering of
  four seats (`rounds`), each taking a reservation filled and released, a team, a waiting
  list promoted twice, attendance that completes, a completion by hand and a cancellation.
- `verdict`: passed, or failed with the last line of what failed (an assertion, the load,
  settling); a row is recorded whatever the outcome.
- `deaths`: processes the supervisor found dead and restarted. A scenario without planned
  kills asserts there were none; the kill scenario asserts deaths equal the kills that
  landed plus the failpoints that fired.
- What they cannot show: an event that was never published because its command was never
  accepted (the client retries through outages, with the same Idempotency-Key where the
  command is not idempotent by itself); a wrong effect applied exactly once (the unit,
  integration and e2e tests hold the rules); two brokers lost at once (scenarios 9 to 12
  lose one of three at a time, which replication factor 3 with two replicas in sync
  survives by design; a second loss stops writes to the partitions it leaves with one
  replica in sync until a node returns, and the outboxes wait); disks that lie about a
  flush; and anything between a short run's few faults and the long run's.
- Scenarios 1 to 8 run on one Kafka node and one instance of each service (two in 6 and
  8); 9 to 12 on three Kafka nodes (KRaft, each a controller and a broker; replication
  factor 3, `min.insync.replicas` 2, unclean leader election off), each behind a TCP proxy
  of the tests' own (tests/fault/netsplit.py), with two instances of every service. A
  partition there is a black hole both ways: the node's connections, and those it opens,
  stop carrying bytes until the partition heals, as a cut cable does.
"""


def write_report(figures: dict[str, dict[str, Any]], docs: Path | None = None) -> None:
    docs = docs or repo_root() / "docs"
    docs.mkdir(exist_ok=True)
    commit = _commit()
    merged = {s["scenario"]: s for s in _previous(docs / "reliability.json")}
    for name, values in figures.items():
        merged[name] = {"scenario": name, **values, "commit": commit}
    scenarios = [merged[name] for name in sorted(merged)]
    (docs / "reliability.json").write_text(json.dumps(scenarios, indent=2) + "\n")
    cores, memory = os.cpu_count(), _memory_gib()
    lines = [
        "# Reliability: faults injected, events lost, events counted twice",
        "",
        f"From `{COMMAND}` on {cores} cores and {memory} GiB; each row says when and on",
        "which commit it ran. Every scenario runs on real Apache Kafka and PostgreSQL",
        "(tests/fault); `make test` (and so CI) runs the same scenarios in a short version.",
        "",
        "| scenario | " + " | ".join(COLUMNS) + " | rounds | deaths | ran | notes |",
        "|---|---|" + "---:|" * (len(COLUMNS) - 1) + "---:|---|---|---|",
    ]
    for s in scenarios:
        cells = " | ".join(str(s.get(c, "")) for c in COLUMNS)
        deaths = ", ".join(f"{k} {v}" for k, v in s.get("deaths", {}).items()) or "none"
        ran = f"{s.get('date', '?')}, {s.get('commit', '?')}"
        lines.append(
            f"| {s['scenario']} | {cells} | {s.get('rounds', '')} | {deaths} | {ran}"
            f" | {s.get('notes', '')} |"
        )
    lines.append("")
    lines.append("Events checked one by one, per consumer:")
    lines.append("")
    for s in scenarios:
        checked = ", ".join(f"{k} {v}" for k, v in s.get("events_checked", {}).items())
        kinds = ", ".join(f"{k} {v}" for k, v in s.get("enrollment_events", {}).items())
        lines.append(f"- {s['scenario']}: {checked or '-'} (of them {kinds or '-'})")
    (docs / "reliability.md").write_text("\n".join(lines) + "\n" + EXPLAINED)


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo_root(), capture_output=True, text=True)
        return done.stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("-dirty" if git("status", "--porcelain") else "")


def _memory_gib() -> int:
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return round(kib / 1024 / 1024)


def _previous(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    previous: list[dict[str, Any]] = json.loads(path.read_text())
    return previous
