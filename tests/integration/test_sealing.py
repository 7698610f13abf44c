"""What people wrote leaves a service sealed with the key of the person it is about, opens
where the key store holds that key, and reads as erased everywhere once the key is
destroyed (services/shared/privacy)."""

import dataclasses
import secrets
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import pytest

from contracts import Envelope, Event, decode
from contracts.personal import Sealed
from contracts.portfolio import LeaderNoteAdded, PlanGoal, PlanSet, ReflectionAdded
from huisacademie import migrate
from services.shared import outbox
from services.shared.privacy import keys
from services.shared.privacy.keys import KeyStore, KeyStoreUnavailable
from services.shared.privacy.sealing import ClearTextRefused, Sealer
from tests.support.infra import Infrastructure
from tests.support.kafka import eventually


@pytest.fixture(scope="module")
async def keystore_url(infrastructure: Infrastructure) -> str:
    made = infrastructure.databases("sealing_")
    await migrate.prepare(made, fresh=True, which=["keystore"])
    return made.keystore_url()


@pytest.fixture(scope="module")
def master() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
async def store(keystore_url: str, master: bytes) -> AsyncIterator[KeyStore]:
    opened = await keys.open_key_store(keystore_url, master)
    yield opened
    await opened.close()


def reflection(staff_id: UUID, text: str) -> Envelope[Event]:
    event = ReflectionAdded(staff_id=staff_id, entry_id=uuid4(), reflection_id=uuid4(), text=text)
    return Envelope[Event].new(event, "/huisacademie/portfolio")


def as_read(envelope: Envelope[Event]) -> Envelope[Event]:
    """As a consumer reads it off the log."""
    return decode(envelope.headers(), envelope.body())


async def test_a_reflection_leaves_sealed_and_opens_with_its_persons_key(store: KeyStore) -> None:
    sealer = Sealer(store)
    teacher = uuid4()
    [leaving] = await sealer.seal([reflection(teacher, "MARKER-reflection-1")])

    body = leaving.body()
    assert b"MARKER" not in body
    read = as_read(leaving)
    assert isinstance(read.data, ReflectionAdded) and isinstance(read.data.text, Sealed)
    assert read.data.text.subject == teacher
    [opened] = await sealer.open([read])
    assert isinstance(opened.data, ReflectionAdded) and opened.data.text == "MARKER-reflection-1"


async def test_a_leaders_note_is_sealed_with_the_teachers_key(store: KeyStore) -> None:
    teacher, leader = uuid4(), uuid4()
    note = LeaderNoteAdded(
        staff_id=teacher, entry_id=uuid4(), note_id=uuid4(), leader_id=leader, text="MARKER-note"
    )
    [leaving] = await Sealer(store).seal([Envelope[Event].new(note, "/huisacademie/portfolio")])
    read = as_read(leaving)
    assert isinstance(read.data, LeaderNoteAdded) and isinstance(read.data.text, Sealed)
    assert read.data.text.subject == teacher  # erased with the teacher, not with the leader


async def test_each_goal_title_of_a_plan_is_sealed_and_bound_to_its_place(store: KeyStore) -> None:
    teacher = uuid4()
    goals = tuple(
        PlanGoal(goal_id=uuid4(), title=f"MARKER-goal-{n}", goal_tags=("reading",), target_hours=4)
        for n in range(3)
    )
    plan = PlanSet(staff_id=teacher, school_year="2026-2027", goals=goals)
    sealer = Sealer(store)
    [leaving] = await sealer.seal([Envelope[Event].new(plan, "/huisacademie/portfolio")])

    assert b"MARKER" not in leaving.body()
    read = as_read(leaving)
    assert isinstance(read.data, PlanSet)
    assert all(isinstance(g.title, Sealed) for g in read.data.goals)
    assert [g.goal_tags for g in read.data.goals] == [("reading",)] * 3  # facts stay readable
    [opened] = await sealer.open([read])
    assert isinstance(opened.data, PlanSet)
    assert [g.title for g in opened.data.goals] == [
        "MARKER-goal-0",
        "MARKER-goal-1",
        "MARKER-goal-2",
    ]
    # A sealed title moved to another goal does not open there: it reads as erased.
    first, second, third = read.data.goals
    swapped = read.data.model_copy(update={"goals": (
        first.model_copy(update={"title": second.title}),
        second.model_copy(update={"title": first.title}),
        third,
    )})  # fmt: skip
    [moved] = await sealer.open([dataclasses.replace(read, data=swapped)])
    assert isinstance(moved.data, PlanSet)
    assert [g.title for g in moved.data.goals] == ["", "", "MARKER-goal-2"]


async def test_erasure_makes_every_copy_unreadable_at_once_and_spares_the_others(
    store: KeyStore, keystore_url: str, master: bytes
) -> None:
    elsewhere = await keys.open_key_store(keystore_url, master)  # another process's
    try:
        erased, kept = uuid4(), uuid4()
        sealer, other = Sealer(store), Sealer(elsewhere)
        leaving = [
            as_read(e)
            for e in await sealer.seal(
                [reflection(erased, "MARKER-gone"), reflection(kept, "MARKER-kept")]
            )
        ]
        assert [clear_text(e) for e in await other.open(leaving)] == ["MARKER-gone", "MARKER-kept"]

        assert await store.erase(erased) is True
        assert await store.erase(erased) is False  # once

        async def shut_elsewhere() -> bool:
            return [clear_text(e) for e in await other.open(leaving)] == ["", "MARKER-kept"]

        assert await eventually(shut_elsewhere, within=10)  # told by NOTIFY, not the cache's age
        assert [clear_text(e) for e in await sealer.open(leaving)] == ["", "MARKER-kept"]
        assert erased in await store.register() and kept not in await store.register()
        # Nothing new about an erased person is kept: no key is made for them again.
        [again] = await sealer.seal([reflection(erased, "MARKER-after")])
        read_again = as_read(again)
        assert isinstance(read_again.data, ReflectionAdded)
        assert (
            isinstance(read_again.data.text, Sealed) and len(read_again.data.text.ciphertext) == 16
        )
        assert [clear_text(e) for e in await sealer.open([read_again])] == [""]  # only a tag
        conn = await asyncpg.connect(keystore_url)
        try:
            row = await conn.fetchrow(
                "SELECT wrapped, erased_at FROM subject_keys WHERE subject = $1", erased
            )
        finally:
            await conn.close()
        assert row is not None and row["wrapped"] is None and row["erased_at"] is not None
    finally:
        await elsewhere.close()


def clear_text(envelope: Envelope[Event]) -> str:
    assert isinstance(envelope.data, ReflectionAdded)
    return envelope.data.text if isinstance(envelope.data.text, str) else "(sealed)"


async def test_without_a_key_store_what_people_wrote_is_refused_on_the_way_out(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(ClearTextRefused, match="reflection_added"):
            async with conn.transaction():
                await outbox.put(conn, "/huisacademie/portfolio", [reflection(uuid4(), "x").data])
        nothing_written = ReflectionAdded.model_construct(
            staff_id=uuid4(), entry_id=uuid4(), reflection_id=uuid4(), text=""
        )
        kept_out = conn.transaction()  # rolled back: the plumbing outbox stays as it was
        await kept_out.start()
        try:
            [put] = await outbox.put(conn, "/huisacademie/portfolio", [nothing_written])
            assert put.data == nothing_written
        finally:
            await kept_out.rollback()


async def test_a_text_with_no_key_anywhere_is_an_outage_not_an_erasure(
    store: KeyStore, keystore_url: str, master: bytes
) -> None:
    """Every key is made before anything is sealed with it: a key store that has none is
    the wrong one (or a restored one), and the text must not be lost as if erased."""
    stranger = uuid4()
    elsewhere = KeyStore(store.pool, secrets.token_bytes(32))  # another master key, same rows
    [leaving] = await Sealer(store).seal([reflection(stranger, "MARKER-x")])
    with pytest.raises(KeyStoreUnavailable, match="master key"):
        await Sealer(elsewhere).open([as_read(leaving)])
    unknown = reflection(uuid4(), "MARKER-y")
    [sealed_for_nobody] = await Sealer(store).seal([unknown])
    conn = await asyncpg.connect(keystore_url)
    try:  # as if the key store were restored from before the key was made
        await conn.execute(
            "DELETE FROM subject_keys WHERE subject = $1", unknown.data.data_subject()
        )
    finally:
        await conn.close()
    fresh = Sealer(await keys.open_key_store(keystore_url, master))
    try:
        with pytest.raises(KeyStoreUnavailable, match="has no key"):
            await fresh.open([as_read(sealed_for_nobody)])
    finally:
        await fresh.keys.close()


async def test_a_text_sealed_for_someone_else_reads_as_erased(store: KeyStore) -> None:
    teacher, other = uuid4(), uuid4()
    [theirs] = await Sealer(store).seal([reflection(other, "MARKER-moved")])
    read = as_read(theirs)
    assert isinstance(read.data, ReflectionAdded)
    moved = dataclasses.replace(read, data=read.data.model_copy(update={"staff_id": teacher}))
    [opened] = await Sealer(store).open([moved])
    assert clear_text(opened) == ""  # not the other person's text in the teacher's dossier


async def test_the_master_key_rotates_without_losing_a_key_or_bringing_one_back(
    store: KeyStore, keystore_url: str, master: bytes
) -> None:
    """Services read by both master keys while `rewrap` wraps every key by the new one;
    afterwards the old one opens nothing, and a person erased meanwhile stays erased."""
    kept, erased = uuid4(), uuid4()
    [theirs] = await Sealer(store).seal([reflection(kept, "MARKER-rotated")])
    await Sealer(store).seal([reflection(erased, "MARKER-erased")])
    new = secrets.token_bytes(32)
    rotating = await keys.open_key_store(keystore_url, new, master)
    try:
        [during] = await Sealer(rotating).open([as_read(theirs)])
        assert clear_text(during) == "MARKER-rotated"  # read by the old key, meanwhile
        await store.erase(erased)
        rewrapped = await rotating.rewrap(batch=1)
        assert rewrapped >= 1
        assert await rotating.rewrap() == 0  # done: nothing left under the old key
        assert erased in await rotating.register()  # not brought back by the rewrap
    finally:
        await rotating.close()
    after = await keys.open_key_store(keystore_url, new)  # the old key is gone now
    try:
        [opened] = await Sealer(after).open([as_read(theirs)])
        assert clear_text(opened) == "MARKER-rotated"
    finally:
        await after.close()
    old_only = KeyStore(store.pool, master, ttl_s=0)
    try:
        with pytest.raises(KeyStoreUnavailable, match="master key"):
            await Sealer(old_only).open([as_read(theirs)])
    finally:  # back to the module's master key, for the tests that share its key store
        back = await keys.open_key_store(keystore_url, master, new)
        try:
            await back.rewrap()
        finally:
            await back.close()
