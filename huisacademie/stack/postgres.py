"""A private PostgreSQL cluster under the stack's data directory, run as the postgres user.

Over TCP every role signs in with a password (SCRAM-SHA-256); only the cluster's owner can
reach its socket, which the stack uses to set the administrator's password."""

from __future__ import annotations

import asyncio
import hashlib
import os
import pwd
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from huisacademie.stack.databases import ROLES, Databases, ensure_roles
from huisacademie.stack.layout import StackError, StackLayout
from huisacademie.stack.passwords import access_directory, ensure_passwords
from huisacademie.stack.pginstall import ensure_postgres_installed, find_bin, run
from huisacademie.stack.processes import pid_alive
from services.shared.db import quote_identifier, quote_literal

_SETTINGS = """
# huisacademie local stack
shared_buffers = 128MB
fsync = on
"""
_HBA = """# huisacademie local stack: written at every start
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
host  all all ::1/128      scram-sha-256
"""
ADMIN = "postgres"


def _as_owner(cmd: Sequence[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


def _traversable_by_others(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    full = path.resolve()
    return all(os.stat(p).st_mode & 0o001 for p in (full, *full.parents))


def _pg_base(layout: StackLayout) -> Path:
    """``<root>/pg``; when we run as root from a folder the postgres user cannot reach
    (a checkout under /root, say), a folder of its own in its home, named after the root."""
    base = layout.root / "pg"
    if os.geteuid() != 0 or _traversable_by_others(layout.root):
        return base
    tag = hashlib.sha256(str(layout.root.resolve()).encode()).hexdigest()[:12]
    return Path(pwd.getpwnam("postgres").pw_dir) / f"huisacademie-{tag}"


def _prepare_dirs(layout: StackLayout) -> tuple[Path, Path, Path]:
    base = _pg_base(layout)
    data, sock = base / "data", base / "socket"
    log = (layout.logs_dir if base.is_relative_to(layout.root) else base) / "postgres.log"
    for directory in (data, sock, layout.logs_dir):
        directory.mkdir(parents=True, exist_ok=True)
    log.touch()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        os.chown(log, owner.pw_uid, owner.pw_gid)
        for directory in (data, sock):
            if directory.stat().st_uid != owner.pw_uid:
                run(["chown", "-R", "postgres:postgres", str(directory)], "chown")
        data.chmod(0o700)
    sock.chmod(0o700)  # the socket trusts whoever reaches it: the cluster's owner only
    return data, sock, log


def postmaster_pid(layout: StackLayout) -> int | None:
    """The running cluster's postmaster (the parent of every backend), if it runs."""
    return _postmaster_pid(_pg_base(layout) / "data")


def _postmaster_pid(data: Path) -> int | None:
    return _postmaster_pid_in(data / "postmaster.pid")


def _postmaster_pid_in(lock_file: Path) -> int | None:
    try:
        return int(lock_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _backends(data: Path) -> list[int]:
    """Live processes whose working directory is the data dir (postgres chdirs there)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(proc / "cwd")) == data.resolve() and pid_alive(int(proc.name)):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _running(data: Path) -> bool:
    """Is the postmaster alive? Clears a stale postmaster.pid (kill -9, zombie postmaster).

    pg_ctl status counts a zombie postmaster as running, and postgres then refuses to start,
    so liveness is judged here; the lock file goes only once no orphaned backend is left.
    """
    pid = _postmaster_pid(data)
    if pid is None:
        return False
    if pid_alive(pid):
        return True
    deadline = time.monotonic() + 15.0
    while _backends(data):
        if time.monotonic() > deadline:
            raise StackError(f"orphaned PostgreSQL processes still use {data}: {_backends(data)}")
        time.sleep(0.2)
    (data / "postmaster.pid").unlink(missing_ok=True)
    for lock in (data.parent / "socket").glob(".s.PGSQL.*.lock"):  # same pid, same problem
        if _postmaster_pid_in(lock) == pid:
            lock.unlink(missing_ok=True)
    return False


def postgres_passwords() -> dict[str, str]:
    """The administrator's and each role's password, shared by the checkout's stacks."""
    return ensure_passwords(access_directory("postgres-access"), (ADMIN, *ROLES))


def admin_url(layout: StackLayout, database: str = "postgres") -> str:
    password = quote(postgres_passwords()[ADMIN], safe="")
    return f"postgresql://{ADMIN}:{password}@127.0.0.1:{layout.pg_port}/{database}"


def local_databases(layout: StackLayout, prefix: str = "") -> Databases:
    """The services' databases on the stack's cluster, named with `prefix`."""
    return Databases.named(admin_url(layout), postgres_passwords(), prefix)


def start_postgres(layout: StackLayout, databases: Sequence[str] = ()) -> None:
    """Start the cluster at ``<root>/pg/data`` unless it runs, with the administrator's
    password and the roles of databases.ROLES; create the missing `databases` (owned by the
    administrator: the services' own are made by databases.create_databases)."""
    bindir = ensure_postgres_installed()
    data, sock, log = _prepare_dirs(layout)
    if not (data / "PG_VERSION").is_file():
        run(_as_owner([str(bindir / "initdb"), "-D", str(data), "-U", ADMIN,
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                        "--locale=C.UTF-8"]), "initdb")  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(_SETTINGS)
    hba_changed = _write_hba(data)
    if not _running(data):
        # A cluster's instances each hold pools of their own (up to 30 connections).
        opts = f"-p {layout.pg_port} -k {sock} -c listen_addresses=127.0.0.1"
        opts += " -c max_connections=500"
        cmd = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts,
               "-w", "-t", "60", "start"]  # fmt: skip
        done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise StackError(f"PostgreSQL did not start ({done.stdout}{done.stderr}); see {log}")
    elif hba_changed:
        run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "reload"]), "pg_ctl reload")
    passwords = postgres_passwords()
    # The maintenance databases are the administrator's: no one else connects or makes
    # temporary tables there.
    _psql(layout, "SET password_encryption = 'scram-sha-256'; SET log_min_error_statement = panic;"
          f" ALTER ROLE {ADMIN} PASSWORD {quote_literal(passwords[ADMIN])};"
          " REVOKE ALL ON DATABASE postgres FROM PUBLIC;"
          " REVOKE ALL ON DATABASE template1 FROM PUBLIC;")  # fmt: skip
    asyncio.run(ensure_roles(admin_url(layout), passwords))
    for name in databases:
        _create_database(layout, name)


def _write_hba(data: Path) -> bool:
    """pg_hba.conf as the stack wants it (a cluster made before passwords trusted TCP)."""
    hba = data / "pg_hba.conf"
    if hba.is_file() and hba.read_text() == _HBA:
        return False
    hba.write_text(_HBA)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(hba, owner.pw_uid, owner.pw_gid)
    return True


def _psql(layout: StackLayout, sql: str) -> str:
    """Runs `sql` (given on stdin: a password never shows in the process list) as the
    administrator, over the cluster's socket."""
    sock = _pg_base(layout) / "socket"
    cmd = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", str(sock),
           "-p", str(layout.pg_port), "-U", ADMIN, "-d", "postgres"]  # fmt: skip
    done = subprocess.run(cmd, input=sql, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackError(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _create_database(layout: StackLayout, name: str) -> None:
    if _psql(layout, f"SELECT 1 FROM pg_database WHERE datname = {quote_literal(name)}") != "1":
        _psql(layout, f"CREATE DATABASE {quote_identifier(name)}")


def stop_postgres(layout: StackLayout) -> None:
    """``pg_ctl stop -m fast`` on the stack's cluster; harmless if it does not run."""
    data = _pg_base(layout) / "data"
    bindir = find_bin()
    if bindir is None or not (data / "PG_VERSION").is_file() or not _running(data):
        return
    run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
         "pg_ctl stop")  # fmt: skip
