"""Erasure (GDPR article 17) by the board's privacy officer: the person's key is destroyed,
so every sealed copy of what was written about them is unreadable at once; every read
model forgets them; no rebuild brings anything back; everyone else's is untouched."""

import asyncio
import os
import subprocess
import sys
import time
import uuid

import asyncpg
import httpx
import pytest

from contracts import topics
from contracts.topics import dead_letter
from huisacademie import dlt
from huisacademie.demo import Endpoints, wait_for
from huisacademie.stack.passwords import keystore_master_key
from huisacademie.system import System
from services.shared.identity.access import Role
from services.shared.privacy import keys
from services.shared.privacy.sealing import Sealer
from tests.support.kafka import eventually, produce, read_all
from tests.support.people import People
from tests.support.planting import Colleagues, offering_needing_approval, ok, plant
from tests.support.scan import Found, scan

pytestmark = pytest.mark.e2e


def test_an_erased_person_is_gone_from_every_topic_database_and_log(
    endpoints: Endpoints, people: People, system: System
) -> None:
    c = Colleagues.of(people)
    board, erased, kept, leader, officer = c.board, c.one, c.other, c.leader, c.officer
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

    # One of their events that was dead-lettered before it was ever applied, replayed after
    # the erasure: the portfolio reads it (its stored offset passes it) and stores nothing.
    applied = asyncio.run(_replay_a_dead_letter_about(system, erased.id))
    assert applied, "the replayed dead letter never reached the portfolio"
    assert asyncio.run(_rows_about(system, erased.id)) == {}
    assert everything().of(gone) == {}


def test_someone_gone_from_the_directory_is_still_erased_by_their_boards_officer(
    endpoints: Endpoints, people: People, system: System
) -> None:
    c = Colleagues.of(people)
    por = endpoints.portfolio
    ok(httpx.post(
        f"{por}/staff/{c.one.id}/entries",
        json={"title": "Congres", "kind": "conference", "hours": 2, "completed_on": "2026-10-05"},
        headers=c.one.headers,
    ))  # fmt: skip
    profile = {"board_id": c.board, "role": "teacher", "sector": "po", "fte": 1.0}
    ok(httpx.put(
        f"{por}/staff/{c.one.id}/profile", json=profile, headers=people.board_admin(c.board).headers
    ))  # fmt: skip
    people.remove(c.one.id)  # HR removed them; their dossier is still here
    assert asyncio.run(_rows_about(system, c.one.id)), "the dossier is there to erase"
    body = {"reason": "left two years ago"}
    stranger = people.person(Role.PRIVACY_OFFICER, board=str(uuid.uuid4()))
    refused = httpx.post(f"{por}/staff/{c.one.id}/erasure", json=body, headers=stranger.headers)
    assert refused.status_code == 404, refused.text  # not another board's to erase
    ok(httpx.post(f"{por}/staff/{c.one.id}/erasure", json=body, headers=c.officer.headers))
    assert asyncio.run(_rows_about(system, c.one.id)) == {}


async def _replay_a_dead_letter_about(system: System, staff_id: str) -> bool:
    """Their enrolment request, as a record the portfolio never applied (an id of its own),
    put on the dead-letter topic and replayed; True once the portfolio has read past it."""
    bootstrap = system.kafka_bootstrap
    theirs = [
        r for r in await read_all(bootstrap, topics.ENROLLMENTS) if r.key == staff_id.encode()
    ]
    assert theirs, "their enrolment's events are on the topic"
    first = theirs[0]  # their request: an entry in the portfolio, were it let in
    assert dict(first.headers)["ce_type"].endswith(b".enrollment_requested.v1")
    never_applied = uuid.uuid4()
    letter = [(k, v) for k, v in first.headers if k != "ce_id"]
    letter += [("ce_id", str(never_applied).encode()), ("dlt_reason", b"failed (a test)")]
    await produce(bootstrap, dead_letter(topics.ENROLLMENTS), [(first.key, first.value, letter)])
    assert await dlt.replay(bootstrap, topics.ENROLLMENTS) >= 1
    [replayed] = [
        r
        for r in await read_all(bootstrap, topics.ENROLLMENTS)
        if dict(r.headers).get("ce_id") == str(never_applied).encode()
    ]
    conn = await asyncpg.connect(system.databases.migration_url("portfolio"))
    try:

        async def seen() -> bool | None:
            stored = await conn.fetchval(
                "SELECT next_offset FROM consumer_offsets"
                " WHERE consumer = 'portfolio.enrollments' AND topic = $1 AND partition = $2",
                topics.ENROLLMENTS,
                replayed.partition,
            )
            return (stored or 0) > replayed.offset or None

        return await eventually(seen, within=30)
    finally:
        await conn.close()


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
            for table in (
                "entries",
                "evidence_files",
                "profiles",
                "plans",
                "departures",
                "pending_erasures",
            )
        }
        counts["journal"] = await conn.fetchval(
            "SELECT count(*) FROM journal WHERE staff_ids @> ARRAY[$1::uuid]", uuid.UUID(staff_id)
        )
    finally:
        await conn.close()
    return {table: n for table, n in counts.items() if n}
