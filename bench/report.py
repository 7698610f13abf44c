"""The benchmark table: printed, written to docs/benchmarks.md and bench/results/latest.json."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huisacademie.stack import repo_root

TARGETS = {
    "projection_vs_connect": (">=", 1.0),
    "projection_vs_sink_floor": (">=", 0.5),
    "rebuild_seconds_1m": ("<=", 60.0),
    "rebuild_vs_sink_floor": (">=", 0.7),
    "e2e_p99_ms": ("<=", 100.0),
    "e2e_cpu_ms_per_completion": ("<=", 4.0),
    "burst_vs_bare": (">=", 0.5),
    "outbox_vs_producer": (">=", 0.5),
}
"""Issue 17's targets, each a ratio or a figure of one run (the e2e figures at 200/s)."""


def machine() -> dict[str, Any]:
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(kib / 1024 / 1024),
        "python": platform.python_version(),
    }


def verdict(key: str, value: float) -> str:
    if key not in TARGETS:
        return ""
    op, target = TARGETS[key]
    met = value >= target if op == ">=" else value <= target
    return f"{'met' if met else 'missed'} (target {op} {target:g})"


def write(
    figures: dict[str, Any], rows: list[tuple[str, str, str]], command: str, full: bool
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    about = machine()
    results = {"date": when, "command": command, "full": full, "machine": about, **figures}
    out = repo_root() / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    table = ["| benchmark | figure | reference (same run) |", "|---|---|---|"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    ratios = ["| ratio | value | target |", "|---|---:|---|"]
    ratios += [
        f"| `{k}` | {v} | {verdict(k, v)} |"
        for k, v in figures.items()
        if isinstance(v, int | float)
    ]
    text = "\n".join(
        [
            f"Run {when} on {about['cores']} cores, {about['memory_gib']} GiB, Python"
            f" {about['python']}, {'full' if full else 'quick'} sizes, with `{command}`.",
            "",
            *table,
            "",
            *ratios,
        ]
    )
    _replace_section(repo_root() / "docs" / "benchmarks.md", text)
    return text


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _replace_section(path: Path, text: str) -> None:
    """The generated table goes between the markers; the prose around it is kept."""
    current = path.read_text() if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    head, _, rest = current.partition(START)
    _, _, tail = rest.partition(END)
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}")
