"""Real headless Chromium (Debian's package), driven by Playwright, for looking at pages
as a person would. Playwright's own browser download is not needed (nor possible here)."""

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

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


@contextmanager
def page(width: int = 1000, height: int = 1200) -> Iterator[Page]:
    """A page in headless Chromium, driven by Playwright over the DevTools protocol."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=FLAGS[1:])
        try:
            yield browser.new_page(
                viewport={"width": width, "height": height}, device_scale_factor=1
            )
        finally:
            browser.close()
