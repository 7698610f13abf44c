"""Finding (or, as root on Debian, installing) the PostgreSQL server binaries."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from huisacademie.stack.layout import StackError


def find_bin() -> Path | None:
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions = [p for p in found if p.parent.name.isdigit()]
    return max(versions, key=lambda p: int(p.parent.name)) if versions else None


def run(cmd: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackError(f"{what} failed ({' '.join(cmd)}):\n{done.stdout}{done.stderr}")
    return done


def ensure_postgres_installed() -> Path:
    """The newest ``/usr/lib/postgresql/<v>/bin``; installs Debian's package as root if missing."""
    found = find_bin()
    if found is not None:
        return found
    if os.geteuid() != 0 or not Path("/etc/debian_version").exists():
        raise StackError("PostgreSQL server binaries not found: install the Debian package "
                         "'postgresql' (apt-get install postgresql)")  # fmt: skip
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise StackError(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr}")
    # The package creates and may start a default cluster on 5432: leave nothing running.
    if shutil.which("pg_lsclusters"):
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True,
                                 text=True, check=False).stdout  # fmt: skip
        for line in listing.splitlines():
            fields = line.split()
            if len(fields) >= 4 and fields[3].startswith("online"):
                subprocess.run(["pg_ctlcluster", fields[0], fields[1], "stop"], check=False)
    found = find_bin()
    if found is None:
        raise StackError("installed 'postgresql' but found no /usr/lib/postgresql/*/bin/initdb")
    return found
