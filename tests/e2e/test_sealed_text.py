"""What people write about a staff member is readable in the portfolio they use and sealed
everywhere it travels or rests outside it: on the portfolio's topic and in its outbox."""

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from contracts import decode, topics
from contracts.personal import Sealed
from huisacademie.demo import Endpoints
from huisacademie.system import System
from tests.support.kafka import read_all
from tests.support.people import People

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def test_reflections_notes_and_file_names_travel_sealed(
    endpoints: Endpoints, people: People, system: System
) -> None:
    board, school = str(uuid.uuid4()), str(uuid.uuid4())
    me = people.staff(board, schools=[school])
    leader = people.leader(board, school)
    marker = f"MARKER-{uuid.uuid4().hex[:8]}"
    por = endpoints.portfolio
    entry = ok(
        httpx.post(
            f"{por}/staff/{me.id}/entries",
            json={"title": f"{marker} title", "kind": "study", "hours": 2,
                  "completed_on": "2026-10-02", "description": f"{marker} description"},
            headers=me.headers,
        )
    )  # fmt: skip
    url = f"{por}/staff/{me.id}/entries/{entry['entry_id']}"
    file = {"name": f"{marker}.txt", "media_type": "text/plain", "content_base64": "aGFsbG8="}
    ok(httpx.post(f"{url}/evidence", json={"file": file}, headers=me.headers))
    ok(httpx.post(f"{url}/reflections", json={"text": f"{marker} reflection"}, headers=me.headers))
    noted = ok(httpx.post(f"{url}/notes", json={"text": f"{marker} note"}, headers=leader.headers))

    # The portfolio shows what was written: the markers are there to be found.
    assert noted["title"] == f"{marker} title"
    assert noted["reflections"][0]["text"] == f"{marker} reflection"
    assert noted["notes"][0]["text"] == f"{marker} note"
    assert noted["evidence"][0]["file_name"] == f"{marker}.txt"

    async def on_the_log() -> list[Any]:
        for _ in range(100):
            records = await read_all(system.kafka_bootstrap, topics.PORTFOLIO)
            mine = [r for r in records if r.key == me.id.encode()]
            if len(mine) >= 4:
                return mine
            await asyncio.sleep(0.2)
        raise AssertionError(f"{me.id}'s four events did not reach {topics.PORTFOLIO}")

    mine = asyncio.run(on_the_log())
    assert all(marker.encode() not in r.value for r in mine)
    sealed = [
        name
        for r in mine
        for name, value in decode(r.headers, r.value).data
        if isinstance(value, Sealed)
    ]
    assert sorted(sealed) == ["description", "file_name", "text", "text", "title"]

    async def outbox_payloads() -> list[bytes]:
        conn = await asyncpg.connect(system.databases.migration_url("portfolio"))
        try:
            rows = await conn.fetch("SELECT payload FROM outbox WHERE key = $1", me.id)
        finally:
            await conn.close()
        return [bytes(r["payload"]) for r in rows]

    payloads = asyncio.run(outbox_payloads())
    assert len(payloads) == 4 and all(marker.encode() not in p for p in payloads)
