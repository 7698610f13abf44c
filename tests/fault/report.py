"""docs/reliability.json and docs/reliability.md from the long fault run's figures."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huisacademie.stack import repo_root

COMMAND = "make fault   # FAULT_LONG=1 pytest -m fault"
COLUMNS = ("sent", "faults_injected", "lost", "double_counted", "dead_letters")


def write_report(figures: dict[str, dict[str, Any]], docs: Path | None = None) -> None:
    docs = docs or repo_root() / "docs"
    docs.mkdir(exist_ok=True)
    # A scenario run again alone replaces its own figures and keeps the others'.
    merged = {s["scenario"]: s for s in _previous(docs / "reliability.json")}
    merged.update({name: {"scenario": name, **values} for name, values in figures.items()})
    scenarios = [merged[name] for name in sorted(merged)]
    (docs / "reliability.json").write_text(json.dumps(scenarios, indent=2) + "\n")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cores, memory = os.cpu_count(), _memory_gib()
    lines = [
        "# Reliability: faults injected, events lost, events counted twice",
        "",
        f"Last long run: {when}, on {cores} cores and {memory} GiB, with `{COMMAND}`.",
        "Every scenario runs on real Apache Kafka and PostgreSQL (tests/fault); `make test`",
        "(and so CI) runs the same scenarios in a short version.",
        "",
        "`sent`: distinct events the services published during the scenario; `lost` and",
        "`double_counted`: accepted commands whose effect is missing from, or counted more",
        "than once in, a read model (catalogue seats, enrollment status, portfolio entries",
        "and hours) once everything settled; `dead_letters`: records in the dead-letter topics.",
        "",
        "| scenario | " + " | ".join(COLUMNS) + " | notes |",
        "|---|" + "---:|" * len(COLUMNS) + "---|",
    ]
    for s in scenarios:
        cells = " | ".join(str(s.get(c, "")) for c in COLUMNS)
        lines.append(f"| {s['scenario']} | {cells} | {s.get('notes', '')} |")
    (docs / "reliability.md").write_text("\n".join(lines) + "\n")


def _memory_gib() -> int:
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return round(kib / 1024 / 1024)


def _previous(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    previous: list[dict[str, Any]] = json.loads(path.read_text())
    return previous
