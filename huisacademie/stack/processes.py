"""Detached background processes tracked by pid files (never found or killed by name)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from huisacademie.stack.layout import StackError, StackLayout

# Popen objects of the processes this interpreter started: kept referenced so they are not
# garbage-collected (with a ResourceWarning) while the detached process still runs.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _pid_file(name: str, layout: StackLayout) -> Path:
    return layout.run_dir / f"{name}.pid"


def _start_time(pid: int) -> str | None:
    """Kernel start time of ``pid`` (guards against pid reuse), or None if it is not live.

    A zombie (state Z) or a dead process (state X) counts as not live; a zombie that is our
    own child is reaped on the way.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # fields after "pid (comm)"
    if fields[0] in ("Z", "X"):
        child = _CHILDREN.pop(pid, None)
        if child is not None:
            child.poll()
        else:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        return None
    return fields[19]  # field 22 of stat: starttime


def pid_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie (a zombie child of ours is reaped)."""
    return _start_time(pid) is not None


def _read_pid(name: str, layout: StackLayout) -> tuple[int, str | None] | None:
    try:
        parts = _pid_file(name, layout).read_text().split()
        return int(parts[0]), (parts[1] if len(parts) > 1 else None)
    except (FileNotFoundError, ValueError, IndexError):
        return None


def process_status(name: str, layout: StackLayout) -> int | None:
    """The live pid recorded for ``name``, or None (a stale pid file is removed)."""
    recorded = _read_pid(name, layout)
    if recorded is None:
        return None
    pid, started = recorded
    actual = _start_time(pid)
    if actual is None or (started is not None and started != actual):
        _pid_file(name, layout).unlink(missing_ok=True)
        return None
    return pid


def start_process(
    name: str,
    argv: Sequence[str],
    layout: StackLayout,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Start ``argv`` detached in its own session, unless ``name`` already runs; return its pid.

    stdout and stderr are appended to ``<logs_dir>/<name>.log``; the pid (and its kernel start
    time) go to ``<run_dir>/<name>.pid``. ``env`` replaces the environment when given.
    """
    running = process_status(name, layout)
    if running is not None:
        return running
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    with open(layout.logs_dir / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    started = _start_time(proc.pid) or ""
    tmp = _pid_file(name, layout).with_suffix(".pid.tmp")
    tmp.write_text(f"{proc.pid} {started}\n")
    tmp.replace(_pid_file(name, layout))
    return proc.pid


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _start_time(pid) is None:
            return True
        time.sleep(0.1)
    return _start_time(pid) is None


def stop_process(name: str, layout: StackLayout, timeout: float = 20.0) -> bool:
    """SIGTERM the recorded pid, SIGKILL it after ``timeout`` s; True if something was stopped."""
    pid = process_status(name, layout)
    if pid is None:
        _pid_file(name, layout).unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if not _wait_gone(pid, 10.0):
            raise StackError(f"{name} (pid {pid}) survived SIGKILL")
    _pid_file(name, layout).unlink(missing_ok=True)
    return True


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Return once ``host:port`` accepts TCP connections; StackError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not port_open(host, port):
        if time.monotonic() >= deadline:
            raise StackError(f"nothing listens on {host}:{port} after {timeout:.0f} s")
        time.sleep(0.2)
