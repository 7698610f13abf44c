"""Reading the tests' learning record store back, and checking statements against its own
xAPI models (Ralph's, run in its own virtualenv)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import httpx

from huisacademie.stack.lrs import USERNAME, lrs_password, ralph_python

VALIDATE = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
for statement in json.load(sys.stdin):
    BaseXapiStatement.model_validate(statement)
print("valid")
"""


def statements(lrs: str, **query: str) -> list[dict[str, Any]]:
    """Every statement the LRS gives for the query, page after page."""
    found: list[dict[str, Any]] = []
    url: str | None = f"{lrs}statements"
    params: dict[str, str] | None = {**query, "limit": "100"}
    with httpx.Client(
        auth=(USERNAME, lrs_password()), headers={"x-experience-api-version": "1.0.3"}
    ) as http:
        while url:
            page = http.get(url, params=params)
            page.raise_for_status()
            body = page.json()
            found.extend(body["statements"])
            more = body.get("more")
            url, params = (str(httpx.URL(lrs).join(more)), None) if more else (None, None)
    return found


def invalid(made: list[dict[str, Any]]) -> str | None:
    """None when every statement validates against Ralph's xAPI statement model; else why."""
    done = subprocess.run(
        [str(ralph_python()), "-c", VALIDATE], input=json.dumps(made), capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    return None if done.returncode == 0 and "valid" in done.stdout else done.stderr[-2000:]
