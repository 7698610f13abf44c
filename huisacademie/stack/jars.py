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
    libs = repo_root() / ".local" / "kafka-libs"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    libs.parent.mkdir(parents=True, exist_ok=True)
    with open(libs.parent / "kafka-libs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two callers at once: the second waits, then reuses
        stamp = libs / _STAMP
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return libs
        staging = libs.with_name("kafka-libs.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            "mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={staging}",
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not any(staging.glob("kafka_2.13-*.jar")):
            raise StackError(f"mvn could not fetch the Kafka jars:\n{done.stdout}{done.stderr}")
        (staging / _STAMP).write_text(digest + "\n")
        shutil.rmtree(libs, ignore_errors=True)
        staging.replace(libs)
    return libs
