"""Erasure (GDPR article 17) by the board's privacy officer: the person's key is destroyed,
so every sealed copy of what was written about them is unreadable at once; every read
model forgets them; no rebuild brings anything back; everyone else's is untouched."""

import asyncio
import base64
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from huisacademie.stack.passwords import keystore_master_key
from huisacademie.system import System
from services.shared.identity.access import Role
from services.shared.privacy import keys
from services.shared.privacy.sealing import Sealer
from tests.support.people import Caller, People
from tests.support.scan import Found, scan

pytestmark = pytest.mark.e2e
SESSION = {"starts_at": "2027-03-01T13:00:00+01:00", "ends_at": "2027-03-01T16:00:00+01:00"}


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def plant(
    endpoints: Endpoints, me: Caller, leader: Caller, tag: str, offering_id: str
) -> list[str]:
    """Markers in everything a person and their leader write about them; returns them."""
    markers = [f"{tag}-{what}-{uuid.uuid4().hex[:6]}" for what in (
        "title", "description", "filename", "content", "reflection", "note"
    )]  # fmt: skip
    title, description, filename, content, reflection, note = markers
    por = endpoints.portfolio
    entry = ok(httpx.post(
        f"{por}/staff/{me.id}/entries",
        json={"title": title, "kind": "study", "hours": 3, "completed_on": "2026-10-05",
              "description": description},
        headers=me.headers,
    ))  # fmt: skip
    url = f"{por}/staff/{me.id}/entries/{entry['entry_id']}"
    file = {
        "name": f"{filename}.txt",
        "media_type": "text/plain",
        "content_base64": base64.b64encode(content.encode()).decode(),
    }
    ok(httpx.post(f"{url}/evidence", json={"file": file}, headers=me.headers))
    ok(httpx.post(f"{url}/reflections", json={"text": reflection}, headers=me.headers))
    ok(httpx.post(f"{url}/notes", json={"text": note}, headers=leader.headers))
    # The leader declines their request, saying why: a reason about them, in enrollment.
    declined = f"{tag}-decline-{uuid.uuid4().hex[:6]}"
    asked = ok(httpx.post(
        f"{endpoints.enrollment}/enrollments",
        json={"role": "teacher", "offering_id": offering_id}, headers=me.headers,
    ))  # fmt: skip
    ok(httpx.post(
        f"{endpoints.enrollment}/enrollments/{asked['enrollment_id']}/decline",
        json={"reason": declined}, headers=leader.headers,
    ))  # fmt: skip
    return [*markers, declined]


def offering_needing_approval(endpoints: Endpoints, people: People, board: str) -> str:
    made = ok(httpx.post(
        f"{endpoints.catalogue}/academies", json={"name": "Academie West", "board_id": board},
        headers=people.board_admin(board).headers,
    ))  # fmt: skip
    admin = people.academy_admin(board, made["academy_id"])
    body = {
        "academy_id": made["academy_id"], "title": "Rekenen", "kind": "workshop",
        "study_hours": 2, "capacity": 5, "requires_approval": True,
        "sessions": [SESSION],
    }  # fmt: skip
    offering = ok(httpx.post(f"{endpoints.catalogue}/offerings", json=body, headers=admin.headers))
    known = f"{endpoints.enrollment}/offerings/{offering['offering_id']}"
    wait_for(
        "enrollment to know the offering",
        lambda: httpx.get(known, headers=admin.headers).is_success,
    )
    return str(offering["offering_id"])


def test_an_erased_person_is_gone_from_every_topic_database_and_log(
    endpoints: Endpoints, people: People, system: System
) -> None:
    board, school = str(uuid.uuid4()), str(uuid.uuid4())
    erased, kept = people.staff(board, schools=[school]), people.staff(board, schools=[school])
    leader = people.leader(board, school)
    officer = people.person(Role.PRIVACY_OFFICER, board=board)
    offering_id = offering_needing_approval(endpoints, people, board)
    gone = plant(endpoints, erased, leader, "GONE", offering_id)
    stays = plant(endpoints, kept, leader, "STAYS", offering_id)

    def everything() -> Found:
        return asyncio.run(_scan([*gone, *stays], system))

    # The scan finds every marker before the erasure: it can see what it looks for.
    before = wait_for("every marker on the log and in the databases", lambda: (
        f if set((f := everything()).of([*gone, *stays])) == {*gone, *stays} else None
    ), timeout=60)  # fmt: skip
    travelled = [m for m in (*gone, *stays) if "-content-" not in m]  # files stay home
    assert all(any(p.startswith("topic") for p in before.places[m]) for m in travelled), {
        m: before.places[m] for m in travelled
    }

    refused = httpx.post(
        f"{endpoints.portfolio}/staff/{erased.id}/erasure",
        json={"reason": "request of the person"},
        headers=leader.headers,
    )
    assert refused.status_code == 403, refused.text  # a leader may not erase anyone
    done = ok(httpx.post(
        f"{endpoints.portfolio}/staff/{erased.id}/erasure",
        json={"reason": "request of the person (AVG art. 17)"},
        headers=officer.headers,
    ))  # fmt: skip
    assert done["staff_id"] == erased.id

    # Enrollment forgets them once PersonErased reaches it.
    after = everything()
    for _ in range(30):
        if not after.of(gone):
            break
        time.sleep(1)
        after = everything()
    assert after.of(gone) == {}, f"found after the erasure: {after.of(gone)}"
    assert set(after.of(stays)) == set(stays), "another person's text was lost"
    por = endpoints.portfolio
    assert (
        httpx.get(f"{por}/staff/{erased.id}/portfolio", headers=leader.headers).status_code == 404
    )
    assert (
        httpx.get(f"{por}/staff/{erased.id}/portfolio", headers=erased.headers).status_code == 403
    )
    assert (
        ok(httpx.get(f"{por}/staff/{kept.id}/portfolio", headers=kept.headers))["total_hours"] == 3
    )

    # A rebuild replays every event, the erased person's too: nothing of theirs comes back.
    env = {**os.environ, **system.rebuild_env()}
    rebuilt = subprocess.run(
        [sys.executable, "-m", "huisacademie", "portfolio", "rebuild"],
        env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert rebuilt.returncode == 0, rebuilt.stderr
    wait_for("the portfolio back after its rebuild", lambda: httpx.get(
        f"{por}/staff/{kept.id}/portfolio", headers=kept.headers
    ).is_success, timeout=60)  # fmt: skip
    assert asyncio.run(_rows_about(system, erased.id)) == {}
    again = everything()
    assert again.of(gone) == {}, f"found after the rebuild: {again.of(gone)}"
    assert set(again.of(stays)) == set(stays)


async def _scan(markers: list[str], system: System) -> Found:
    # The scan opens sealed fields with whatever keys the key store still holds.
    master = keys.master_key(keystore_master_key())
    store = await keys.open_key_store(system.databases.keystore_url(), master)
    try:
        conn = await asyncpg.connect(system.databases.admin_url)
        try:
            names = [
                r["datname"]
                for r in await conn.fetch(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'e2e\\_%'"
                )
            ]
        finally:
            await conn.close()
        return await scan(
            markers,
            bootstrap=system.kafka_bootstrap,
            admin_url=system.databases.admin_url,
            databases=names,
            logs=system.layout.logs_dir,
            sealer=Sealer(store),
        )
    finally:
        await store.close()


async def _rows_about(system: System, staff_id: str) -> dict[str, int]:
    conn = await asyncpg.connect(system.databases.migration_url("portfolio"))
    try:
        counts = {
            table: await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE staff_id = $1", uuid.UUID(staff_id)
            )
            for table in ("entries", "evidence_files", "profiles", "plans")
        }
        counts["journal"] = await conn.fetchval(
            "SELECT count(*) FROM journal WHERE staff_ids @> ARRAY[$1::uuid]", uuid.UUID(staff_id)
        )
    finally:
        await conn.close()
    return {table: n for table, n in counts.items() if n}
