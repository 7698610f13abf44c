"""What the container image holds, proven without a container engine: the wheel
deploy/container/Dockerfile builds (`pip wheel --no-deps`), installed into a fresh
virtualenv as its final stage does (`pip install <wheel>`), holds every module and every
data file (migrations, templates, static files), and its command, `huisacademie serve
catalogue`, run as a user other than root (the image's is 10001; here nobody, 65534) from a
directory of its own, starts against the tests' stack and answers /health/live and
/health/ready. Its dependencies are those this environment installed from pyproject.toml
(`pip check` in the fresh virtualenv proves the wheel's requirements met by them)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from huisacademie import stack
from huisacademie.demo import wait_for
from huisacademie.stack.layout import repo_root
from huisacademie.system import System

pytestmark = pytest.mark.e2e

PACKAGES = ("contracts", "huisacademie", "services")
"""What pyproject.toml's packages.find includes."""
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
"""What .dockerignore leaves out."""
NOBODY = 65534
PROCESS = "catalogue-image"
PIP = {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}
"""The Dockerfile's pip settings, but pip's cache: the dependencies need not be fetched again."""


@dataclass(frozen=True)
class Installed:
    root: Path
    """Readable by everyone: what the non-root user runs from."""
    venv: Path
    wheel: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def as_non_root(argv: list[str]) -> list[str]:
    """Run as root, the command drops to nobody; run as anyone else, it runs as is."""
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to drop root"
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


def pip(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        env={**os.environ, **PIP},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def installed() -> Iterator[Installed]:
    root = Path(tempfile.mkdtemp(prefix="huisacademie-image-"))
    try:
        root.chmod(0o755)  # mkdtemp makes it the owner's alone
        # What the Dockerfile copies into its build stage (the checkout itself is left
        # alone: setuptools writes build/ and *.egg-info beside the sources).
        source = root / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(repo_root() / name, source / name)
        for package in PACKAGES:
            shutil.copytree(repo_root() / package, source / package, ignore=IGNORED)
        wheels = root / "wheels"
        pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(source))
        (wheel,) = wheels.glob("huisacademie-*.whl")
        venv = root / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        # The wheel alone; its dependencies are this environment's, the same versions pip
        # resolved from pyproject.toml (installing them again took two minutes a run). A
        # directory named in a .pth file has its own .pth files left unread, so the
        # checkout's editable install stays out: the package is the wheel's.
        (site,) = venv.glob("lib/python*/site-packages")
        (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
        done = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", str(wheel)],
            env={**os.environ, **PIP},
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        checked = subprocess.run(
            [str(venv / "bin" / "pip"), "check"], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr  # its requirements met
        subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
        yield Installed(root, venv, wheel)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_dir(installed: Installed, name: str) -> Path:
    """A directory of the non-root user's own, as the image's WORKDIR /tmp is writable."""
    directory = installed.root / name
    directory.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        os.chown(directory, NOBODY, NOBODY)
    return directory


def isolated_env(env: dict[str, str], home: Path) -> dict[str, str]:
    """Nothing of the checkout or of this virtualenv: the installed package alone."""
    gone = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    return {
        **{k: v for k, v in env.items() if k not in gone},
        "HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }


def test_the_wheel_holds_every_module_and_data_file(installed: Installed) -> None:
    """Every file of the three packages but bytecode, migrations, templates and static files
    among them, is in the wheel (pyproject.toml's package-data)."""
    import zipfile

    repo = repo_root()
    wanted = {
        str(path.relative_to(repo))
        for package in PACKAGES
        for path in (repo / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    held = set(zipfile.ZipFile(installed.wheel).namelist())
    assert sorted(wanted - held) == []
    assert any(name.endswith(".sql") for name in held)
    assert any(name.startswith("services/web/templates/") for name in held)
    assert any(name.startswith("services/web/static/") for name in held)


CHECK = """
import json, huisacademie
from huisacademie.serve import SERVICES
from services.shared.definition import database_migrations
from services.web.frame import TEMPLATES
from services.portfolio.api.page import _templates as PORTFOLIO
found = {
    name: sorted(p.name for d in database_migrations(s) for p in d.glob("*.sql"))
    for name, s in SERVICES.items()
}
web = TEMPLATES.env.list_templates()
for t in web:
    TEMPLATES.env.get_template(t)
for t in PORTFOLIO.list_templates():
    PORTFOLIO.get_template(t)
print(json.dumps({"module": huisacademie.__file__, "migrations": found, "templates": len(web)}))
"""


def test_the_installed_package_finds_its_migrations_and_templates_as_non_root(
    installed: Installed,
) -> None:
    home = run_dir(installed, "check")
    env = isolated_env(dict(os.environ), home)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            as_non_root(list(argv)), env=env, cwd=home, capture_output=True, text=True,
            check=False, timeout=120,
        )  # fmt: skip

    done = run(installed.bin("python"), "-c", CHECK)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["module"].startswith(str(installed.venv))  # not the checkout's
    from huisacademie.serve import SERVICES
    from services.shared.definition import database_migrations

    for name, definition in SERVICES.items():
        ours = sorted(p.name for d in database_migrations(definition) for p in d.glob("*.sql"))
        assert report["migrations"][name] == ours
    assert report["templates"] > 0
    helped = run(installed.bin("huisacademie"), "migrate", "--help")
    assert helped.returncode == 0, helped.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


def test_the_image_command_serves_catalogue_as_non_root(
    installed: Installed, system: System
) -> None:
    home = run_dir(installed, "catalogue")
    port = free_port()
    env = isolated_env(system.process_env("catalogue"), home)
    env["CATALOGUE_HTTP_PORT"] = str(port)
    env["CATALOGUE_HTTP_HOST"] = "127.0.0.1"
    if ca := env.get("KAFKA_CA_FILE"):  # the checkout's is its owner's alone
        shutil.copy(ca, home / "kafka-ca.pem")
        (home / "kafka-ca.pem").chmod(0o644)
        env["KAFKA_CA_FILE"] = str(home / "kafka-ca.pem")
    argv = as_non_root([installed.bin("huisacademie"), "serve", "catalogue"])
    stack.stop_process(PROCESS, system.layout)  # a leftover of an interrupted run
    pid = stack.start_process(PROCESS, argv, system.layout, env=env, cwd=home)
    url = f"http://127.0.0.1:{port}"
    log = system.layout.logs_dir / f"{PROCESS}.log"

    def answers(path: str) -> bool:
        if stack.process_status(PROCESS, system.layout) is None:
            raise AssertionError(f"{PROCESS} exited; see {log}")
        try:
            return httpx.get(f"{url}{path}", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for("the installed catalogue to be live", lambda: answers("/health/live"), 60)
        wait_for("the installed catalogue to be ready", lambda: answers("/health/ready"), 90)
        if os.geteuid() == 0:
            assert uid_of(pid) == NOBODY
        else:
            assert uid_of(pid) == os.geteuid() != 0
        ready = httpx.get(f"{url}/health/ready", timeout=5)
        assert ready.status_code == 200, ready.text
    finally:
        stack.stop_process(PROCESS, system.layout)
