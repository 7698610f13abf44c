"""Keycloak, the local stack's OpenID Connect provider, run from its server distribution on
Maven Central: one distribution for every stack, each stack's data under its own root."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import httpx

from huisacademie.stack.layout import StackError, StackLayout, repo_root
from huisacademie.stack.processes import port_open, process_status, start_process, stop_process

KEYCLOAK_VERSION = "26.7.3"
KEYCLOAK_PROCESS = "keycloak"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
START_TIMEOUT = 120.0

_ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
# Build-time options, baked into the distribution's lib/quarkus once, under the lock: every
# stack then starts it with `start --optimized`, which never rewrites the shared distribution
# (`start-dev` re-augments it in place on a first start, racing with another stack's).
_BUILD_OPTIONS = ("--db=dev-file",)
_STAMP = ".stamp"
# Several stacks run a Keycloak each: the serial collector and the client compiler alone
# (measured on 2 CPUs: 330-370 MB resident instead of 460-550 MB with G1 and C2, restarts a
# few seconds faster, token grants as fast) suit a server with a few users.
_HEAP = ("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
# What bin/kc.sh of this version gives java besides the heap and the collector (JAVA_OPTS,
# JAVA_ADD_OPENS, JAVA_LOCALE and the ForkJoin thread factory Quarkus needs).
_JAVA_OPTS = (
    "-Djava.util.concurrent.ForkJoinPool.common.threadFactory="
    "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory",
    "-XX:MetaspaceSize=96M", "-XX:MaxMetaspaceSize=256m",
    "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.err.encoding=UTF-8",
    "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8", "-XX:+ExitOnOutOfMemoryError",
    "-Djava.security.egd=file:/dev/urandom", "-XX:FlightRecorderOptions=stackdepth=512",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.security=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
    "-Duser.language=en", "-Duser.country=US",
)  # fmt: skip


def _dist_dir() -> Path:
    return repo_root() / ".local" / "keycloak-dist"


def _home(dist: Path) -> Path:
    return dist / f"keycloak-{KEYCLOAK_VERSION}"


def _clean_env() -> dict[str, str]:
    """Our environment without Keycloak's, Quarkus' or kc.sh's settings: ours alone count."""
    prefixes = ("KC_", "KEYCLOAK_", "QUARKUS_", "JAVA_OPTS", "JAVA_ADD_OPENS", "JAVA_LOCALE")
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=_clean_env())
    if done.returncode != 0:
        raise StackError(f"{what} failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}")


def _unpack(archive: Path, into: Path) -> None:
    """Unzip keeping the files' modes (zipfile drops them: kc.sh must stay executable)."""
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            path = Path(zipped.extract(info, into))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                path.chmod(mode)


def ensure_keycloak() -> Path:
    """Fetch Keycloak's server zip with Maven, unpack and build it in
    ``<repo>/.local/keycloak-dist`` (once per version); return the distribution's home."""
    dist = _dist_dir()
    home = _home(dist)
    wanted = " ".join((_ARTIFACT, *_BUILD_OPTIONS))
    dist.parent.mkdir(parents=True, exist_ok=True)
    with open(dist.parent / f"{dist.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two callers at once: the second waits, then reuses
        stamp = dist / _STAMP
        if stamp.is_file() and stamp.read_text().strip() == wanted:
            return home
        staging = dist.with_name(f"{dist.name}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        cmd = ["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={_ARTIFACT}",
               f"-DoutputDirectory={staging}"]  # fmt: skip
        _run(cmd, f"mvn fetching {_ARTIFACT}")
        archive = staging / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
        if not archive.is_file():
            raise StackError(f"mvn did not fetch {_ARTIFACT} into {staging}")
        _unpack(archive, staging)
        archive.unlink()
        built = _home(staging)
        # No absolute path goes into the build: the distribution may move once built.
        _run([str(built / "bin" / "kc.sh"), "build", *_BUILD_OPTIONS], "Keycloak's build")
        (staging / _STAMP).write_text(wanted + "\n")
        shutil.rmtree(dist, ignore_errors=True)
        staging.replace(dist)
    return home


def _data_dir(layout: StackLayout) -> Path:
    return layout.root / "keycloak"


def _java(home: Path, data: Path, port: int) -> list[str]:
    """kc.sh's java command, run directly: the pid we record is the JVM's, so a stop or a
    kill -9 by pid takes Keycloak down (kc.sh would leave its JVM behind on a kill -9)."""
    # dev-file as Keycloak's own default URL has it, but in this stack's directory
    db_url = (
        f"jdbc:h2:file:{data / 'h2' / 'keycloakdb'}"
        ";NON_KEYWORDS=VALUE;DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=0"
    )
    return [
        "java", *_HEAP, *_JAVA_OPTS,
        f"-Dkc.home.dir={home}", f"-Djboss.server.config.dir={home / 'conf'}",
        "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
        "-Dpicocli.disable.closures=true", "-Dquarkus-log-max-startup-records=10000",
        # Narayana's transaction log defaults to the shared distribution's data/
        f"-Dquarkus.transaction-manager.object-store.directory={data / 'transaction-logs'}",
        "-cp", str(home / "lib" / "quarkus-run.jar"),
        "io.quarkus.bootstrap.runner.QuarkusEntryPoint",
        "start", "--optimized",
        "--http-enabled=true", "--http-host=127.0.0.1", f"--http-port={port}",
        # One issuer whatever Host a client sends (localhost or 127.0.0.1): what the
        # services trust is exactly what the tokens carry.
        f"--hostname=http://127.0.0.1:{port}",
        "--cache=local",  # production mode would cluster with other stacks' Keycloaks
        f"--db-url={db_url}",
    ]  # fmt: skip


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def _wait_ready(layout: StackLayout, url: str, deadline: float, log: Path) -> None:
    """Return once the master realm's discovery document answers."""
    discovery = f"{url}/realms/master/.well-known/openid-configuration"
    while True:
        try:
            if httpx.get(discovery, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process_status(KEYCLOAK_PROCESS, layout) is None:
            raise StackError(f"Keycloak exited while starting; {log}:\n{_log_tail(log)}")
        if time.monotonic() >= deadline:
            raise StackError(
                f"Keycloak did not answer {discovery} within {START_TIMEOUT:.0f} s; "
                f"{log}:\n{_log_tail(log)}"
            )
        time.sleep(0.5)


def start_keycloak(layout: StackLayout, port: int) -> str:
    """Start this stack's Keycloak on 127.0.0.1:``port`` unless it runs already (its master
    realm's admin is admin/admin); return its base URL once it answers."""
    url = f"http://127.0.0.1:{port}"
    log = layout.logs_dir / f"{KEYCLOAK_PROCESS}.log"
    data = _data_dir(layout).resolve()  # H2 takes no implicitly relative path
    port_file = data / "http-port"
    if process_status(KEYCLOAK_PROCESS, layout) is None:
        if port_open("127.0.0.1", port):
            raise StackError(f"port {port} is taken by a process this stack did not start")
        home = ensure_keycloak()
        data.mkdir(parents=True, exist_ok=True)
        port_file.write_text(f"{port}\n")
        env = {
            **_clean_env(),
            # Used only when the master realm is created, on the first start.
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        start_process(KEYCLOAK_PROCESS, _java(home, data, port), layout, env=env, cwd=data)
    elif port_file.is_file() and port_file.read_text().strip() != str(port):
        raise StackError(
            f"this stack's Keycloak runs on port {port_file.read_text().strip()}, not {port}; "
            "stop it first"
        )
    _wait_ready(layout, url, time.monotonic() + START_TIMEOUT, log)
    return url


def stop_keycloak(layout: StackLayout) -> None:
    """SIGTERM Keycloak by its pid (SIGKILL after 30 s); harmless if it does not run."""
    stop_process(KEYCLOAK_PROCESS, layout, timeout=30.0)
