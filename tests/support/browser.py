"""Real headless Chromium (Debian's package) for looking at pages as a person would."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--hide-scrollbars",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-device-scale-factor=1",
]


def chromium() -> str:
    """The browser; installed from Debian's packages when missing and we may."""
    found = shutil.which("chromium")
    if found is None and os.geteuid() == 0 and Path("/etc/debian_version").exists():
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "chromium"], check=True, capture_output=True, env=env
        )
        found = shutil.which("chromium")
    if found is None:
        raise RuntimeError("the browser tests need Chromium: apt-get install chromium")
    return found


def _run(url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            timeout=60,
            check=True,
            cwd=profile,
        )


def screenshot(url: str, path: Path, width: int = 1000, height: int = 1200) -> Path:
    _run(url, f"--screenshot={path}", f"--window-size={width},{height}")
    return path


def rendered_dom(url: str) -> str:
    return _run(url, "--dump-dom").stdout.decode()
