"""The web application in real headless Chromium: signing in through the identity
provider's own login page, and what every page must pass (axe-core finds no serious or
critical violation, and no string is left untranslated)."""

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from huisacademie.stack.layout import repo_root
from tests.support.browser import FLAGS, chromium

AXE_VERSION = "4.10.2"
SCREENS = repo_root() / "docs" / "screens"
UNTRANSLATED = "⟦"  # services/web/i18n.py: MISSING


@cache
def axe_script() -> Path:
    """axe-core from npm, installed once per checkout under .local/npm."""
    prefix = repo_root() / ".local" / "npm"
    script = prefix / "node_modules" / "axe-core" / "axe.min.js"
    installed = prefix / "node_modules" / "axe-core" / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != AXE_VERSION:
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix),
             f"axe-core@{AXE_VERSION}"],
            check=True, capture_output=True,
        )  # fmt: skip
    return script


@contextmanager
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=FLAGS[1:])
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Browser, width: int = 1100, height: int = 900) -> Page:
    """A page in a context of its own (its own cookies: one person signed in), in a Dutch
    browser (its date fields as a Dutch teacher sees them)."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    return context.new_page()


def tab_to(page: Page, selector: str, presses: int = 80) -> None:
    """Moves the focus with the Tab key alone until it is on the element `selector` finds."""
    target = page.locator(selector).first
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def sign_in(page: Page, web: str, username: str, password: str, path: str = "/") -> None:
    """Opens `path` of the web application, signs in on the identity provider's page, and
    comes back signed in."""
    page.goto(f"{web}{path}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#kc-login")
    page.wait_for_url(f"{web}{path}*")


def problems(page: Page) -> list[str]:
    """What is wrong with the page as shown: axe-core's serious and critical violations,
    and strings without a translation."""
    found: list[str] = []
    page.add_script_tag(path=str(axe_script()))
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    for v in violations:
        if v.get("impact") in ("serious", "critical"):
            targets = [n.get("target") for n in v.get("nodes", [])][:3]
            found.append(f"axe {v['impact']}: {v['id']} ({v['help']}) at {targets}")
    text = page.locator("body").inner_text()
    if UNTRANSLATED in text:
        found.append(f"untranslated: {[w for w in text.split() if UNTRANSLATED in w][:5]}")
    return found


def check(page: Page) -> None:
    """The page passes axe-core (no serious or critical violation) and is translated."""
    found = problems(page)
    assert not found, f"{page.url}:\n" + "\n".join(found)


def screenshot(page: Page, name: str) -> None:
    """A screenshot of the page for docs/screens/ (the README shows them)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
