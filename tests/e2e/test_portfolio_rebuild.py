"""`huisacademie portfolio rebuild` replays every event into a fresh read model while the
old one keeps serving, then switches over: the portfolio reads the same before and after."""

import asyncio
import base64
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from huisacademie.system import System
from services.shared.clock import dutch_today
from tests.support.infra import Infrastructure
from tests.support.people import People

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def by_id(portfolio: dict[str, Any]) -> dict[str, Any]:
    return {**portfolio, "entries": {e["entry_id"]: e for e in portfolio["entries"]}}


async def databases(infra: Infrastructure) -> list[str]:
    conn = await asyncpg.connect(infra.postgres_url)
    try:
        return [r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")]
    finally:
        await conn.close()


def test_a_rebuild_gives_the_same_portfolio_and_keeps_serving(
    endpoints: Endpoints,
    system: System,
    infrastructure: Infrastructure,
    people: People,
    tmp_path: Path,
) -> None:
    por = endpoints.portfolio
    school, board = (str(uuid.uuid4()) for _ in range(2))
    me = people.staff(board, schools=[school])
    admin = people.board_admin(board)
    staff = me.id
    entry = ok(
        httpx.post(
            f"{por}/staff/{staff}/entries",
            json={
                "title": "Onderwijsdag",
                "kind": "conference",
                "hours": 6,
                "completed_on": "2026-11-04",
            },
            headers=me.headers,
        )
    )
    url = f"{por}/staff/{staff}/entries/{entry['entry_id']}"
    ok(httpx.post(f"{url}/reflections", json={"text": "Worth the day."}, headers=me.headers))
    with_file = ok(
        httpx.post(
            f"{url}/evidence",
            json={
                "file": {
                    "name": "bewijs.txt",
                    "media_type": "text/plain",
                    "content_base64": base64.b64encode(b"attended").decode(),
                }
            },
            headers=me.headers,
        )
    )
    # The profile and the targets are the board's administrator's to set.
    ok(
        httpx.put(
            f"{por}/staff/{staff}/profile",
            json={
                "board_id": board,
                "role": "teacher",
                "sector": "vo",
                "fte": 0.8,
                "school_ids": [school],
            },
            headers=admin.headers,
        )
    )
    ok(
        httpx.put(
            f"{por}/boards/{board}/targets",
            json={"hours_per_year": {"teacher": 50}},
            headers=admin.headers,
        )
    )
    dossier = f"{por}/staff/{staff}/portfolio"
    year = ok(httpx.get(dossier, headers=me.headers))["four_years"]["last_year"]
    plan = {"goals": [{"title": "Conferences", "goal_tags": [], "domains": [], "target_hours": 4}]}
    plan_url = f"{por}/staff/{staff}/plans/{year}"
    ok(httpx.put(plan_url, json=plan, headers=me.headers))
    as_of = {"as_of": dutch_today().isoformat()}
    before = by_id(ok(httpx.get(dossier, headers=me.headers)))
    before_as_of = by_id(ok(httpx.get(dossier, params=as_of, headers=me.headers)))
    before_plan = ok(httpx.get(plan_url, headers=me.headers))
    assert before["target_hours_per_year"] == 40.0

    # The portfolio's database as its role, the server as the administrator who rebuilds.
    env = {**os.environ, **system.rebuild_env()}
    log = tmp_path / "rebuild.log"
    with log.open("wb") as sink:  # a file, not a pipe nobody reads while it runs
        rebuild = subprocess.Popen(
            [sys.executable, "-m", "huisacademie", "portfolio", "rebuild"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        served = 0
        while rebuild.poll() is None:
            served += httpx.get(dossier, headers=me.headers, timeout=5).status_code == 200
            time.sleep(0.05)
    output = log.read_text()
    assert rebuild.returncode == 0, output
    assert served > 0
    assert "rebuilding [" in output and "100.0%" in output
    assert "rebuilt e2e_portfolio from" in output

    after = wait_for(
        "the service back on the rebuilt database",
        lambda: (r := httpx.get(dossier, headers=me.headers)).is_success and r.json(),
    )
    assert by_id(after) == before
    assert by_id(ok(httpx.get(dossier, params=as_of, headers=me.headers))) == before_as_of
    assert before_as_of["total_hours"] == 6.0
    assert ok(httpx.get(plan_url, headers=me.headers)) == before_plan
    file_id = with_file["evidence"][0]["evidence_id"]
    assert httpx.get(f"{por}/evidence/{file_id}", headers=me.headers).content == b"attended"
    names = asyncio.run(databases(infrastructure))
    assert any(n.startswith("e2e_portfolio_retired_") for n in names)
    # New events keep arriving in the rebuilt read model.
    more = ok(
        httpx.post(
            f"{por}/staff/{staff}/entries",
            json={"title": "Studiedag", "kind": "study", "hours": 2, "completed_on": "2026-11-05"},
            headers=me.headers,
        )
    )
    assert more["hours"] == 2.0
    assert ok(httpx.get(dossier, headers=me.headers))["total_hours"] == 8.0
