"""The local stack's learning record store: Ralph (PyPI `ralph-malph`), its LRS server on
its file backend, one JSON line a statement in the stack's directory (.local/lrs/), durable
across restarts. Installed once per machine in a virtualenv of its own (its dependencies
are not ours), run by a small launcher (below), with HTTP basic credentials of the stack's.

Why Ralph, and this way: it is a Python server from PyPI that runs here without Docker;
only its file backend has no server of its own to need (Elasticsearch, MongoDB and
ClickHouse are not in Debian's packages). Its LRS speaks xAPI 1.0.3 and validates what it
is sent against its own models. xapi-rs (crates) speaks 2.0.0 and keeps statements in
PostgreSQL, but needs a newer Rust than this machine's and compiles wasmtime: not here."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from huisacademie.stack.layout import StackError, StackLayout
from huisacademie.stack.passwords import access_directory, ensure_passwords
from huisacademie.stack.processes import port_open, process_status, start_process, stop_process

RALPH = "ralph-malph[lrs,cli]==5.1.0"
# ralph.api imports requests (its OIDC support), which the lrs extra does not name.
REQUIREMENTS = (RALPH, "requests>=2.31")
LRS_PROCESS = "lrs"
USERNAME = "huisacademie"
START_TIMEOUT = 60.0

# Ralph 5.1.0's file backend writes its file with operation "create", so every write after
# the first fails ("already exists"); append is what an LRS on a file needs. Its verb and
# activity filters compare text with an IRI model and never match: they are given text.
LAUNCHER = """\
import os
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
_verb, _activity = FSLRSBackend._add_filter_by_verb, FSLRSBackend._add_filter_by_activity
FSLRSBackend._add_filter_by_verb = staticmethod(lambda f, v: _verb(f, str(v) if v else v))
FSLRSBackend._add_filter_by_activity = staticmethod(
    lambda f, a, r: _activity(f, str(a) if a else a, r)
)
import uvicorn
from ralph.conf import settings
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(os.environ["RALPH_RUNSERVER_PORT"]),
            log_config=settings.LOGGING, reload=False)
"""


def _home() -> Path:
    """Shared by the machine's checkouts, as Maven's repository is: a fresh clone's demo
    does not install Ralph again."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "huisacademie" / RALPH.replace("[lrs,cli]==", "-")


def ralph_python() -> Path:
    """The python of Ralph's virtualenv (its models validate statements)."""
    return _home() / "venv" / "bin" / "python"


def ensure_lrs() -> Path:
    """Ralph in its own virtualenv (once per machine); its python."""
    home = _home()
    home.mkdir(parents=True, exist_ok=True)
    stamp = home / "installed"
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text() == " ".join(REQUIREMENTS):
            return ralph_python()
        _run([sys.executable, "-m", "venv", "--clear", str(home / "venv")], "a virtualenv")
        _run(
            [str(ralph_python()), "-m", "pip", "install", "-q", *REQUIREMENTS], "pip install ralph"
        )
        (home / "launcher.py").write_text(LAUNCHER)
        stamp.write_text(" ".join(REQUIREMENTS))
    return ralph_python()


def lrs_password() -> str:
    return ensure_passwords(access_directory("lrs-access"), (USERNAME,))[USERNAME]


def lrs_url(layout: StackLayout) -> str:
    """The xAPI endpoint (statements are at …/statements)."""
    return f"http://127.0.0.1:{layout.lrs_port}/xAPI/"


def _env(layout: StackLayout) -> dict[str, str]:
    data = layout.root / "lrs"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_RUNSERVER_PORT": str(layout.lrs_port),
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data / "statements"),
        "RALPH_BACKENDS__LRS__FS__DEFAULT_LRS_FILE": "statements.jsonl",
        "RALPH_AUTH_FILE": str(data / "auth.json"),
        "RALPH_HISTORY_FILE": str(data / "history.json"),
    }


def start_lrs(layout: StackLayout) -> str:
    """Start the LRS on the layout's port, unless it runs already; its xAPI endpoint."""
    python = ensure_lrs()
    env = _env(layout)
    if process_status(LRS_PROCESS, layout) is None:
        if port_open("127.0.0.1", layout.lrs_port):
            raise StackError(
                f"port {layout.lrs_port} is taken by a process this stack did not start"
            )
        Path(env["RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH"]).mkdir(
            parents=True, exist_ok=True
        )
        _credentials(python, env)
        start_process(LRS_PROCESS, [str(python), str(_home() / "launcher.py")], layout, env=env)
    _wait_ready(layout)
    return lrs_url(layout)


def _credentials(python: Path, env: dict[str, str]) -> None:
    """The stack's user, with every scope, in Ralph's auth file (made once)."""
    auth = Path(env["RALPH_AUTH_FILE"])
    if auth.is_file() and USERNAME in {u["username"] for u in json.loads(auth.read_text())}:
        return
    ralph = str(python.parent / "ralph")
    _run([ralph, "auth", "-u", USERNAME, "-p", lrs_password(), "-s", "all",
          "-A", USERNAME, "http://127.0.0.1/huisacademie", "-w"], "ralph auth", env)  # fmt: skip


def _wait_ready(layout: StackLayout) -> None:
    import time

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process_status(LRS_PROCESS, layout) is None:
            break
        try:
            if httpx.get(f"http://127.0.0.1:{layout.lrs_port}/__heartbeat__", timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    log = layout.logs_dir / f"{LRS_PROCESS}.log"
    raise StackError(f"the learning record store did not start; see {log}")


def stop_lrs(layout: StackLayout) -> None:
    """Stop it by its pid; harmless if it does not run. The statements stay."""
    stop_process(LRS_PROCESS, layout)


def _run(argv: list[str], what: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise StackError(f"{what} failed: {done.stderr.strip()[-2000:]}")
