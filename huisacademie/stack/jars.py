"""The Kafka broker's jars, resolved by Maven from deploy/local/pom.xml."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path

from huisacademie.stack.layout import StackError, repo_root

_STAMP = ".pom-sha256"


def ensure_kafka_jars() -> Path:
    """Copy the broker's runtime jars to ``<repo>/.local/kafka-libs`` (once per pom version)."""
    pom = repo_root() / "deploy" / "local" / "pom.xml"
    return resolve_jars(pom, repo_root() / ".local" / "kafka-libs", "kafka_2.13-*.jar")


def resolve_jars(pom: Path, libs: Path, required: str) -> Path:
    """Copy the runtime dependencies of ``pom`` to ``libs`` with Maven, once per version of
    the pom; ``required`` is a glob of a jar that must be among them."""
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    libs.parent.mkdir(parents=True, exist_ok=True)
    with open(libs.parent / f"{libs.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two callers at once: the second waits, then reuses
        stamp = libs / _STAMP
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return libs
        staging = libs.with_name(f"{libs.name}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            "mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={staging}",
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not any(staging.glob(required)):
            raise StackError(f"mvn could not fetch the jars of {pom}:\n{done.stdout}{done.stderr}")
        (staging / _STAMP).write_text(digest + "\n")
        shutil.rmtree(libs, ignore_errors=True)
        staging.replace(libs)
    return libs


def log4j2_config(levels: dict[str, str]) -> str:
    """A log4j2 configuration: INFO to stdout, with the given loggers at their own level."""
    loggers = "".join(
        f'\n    <Logger name="{name}" level="{level}"/>' for name, level in levels.items()
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="STDOUT" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="STDOUT"/></Root>{loggers}
  </Loggers>
</Configuration>
"""
