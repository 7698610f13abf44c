"""Enrollment: a school leader enrols a team, or reserves seats, names people in them and
gives the rest back; what each refuses (the commands on a fake unit of work, the request
bodies through the HTTP API on the same fake)."""

from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from contracts.enrollment import Enrolled, EnrolledVia, ReservationReleased
from contracts.values import EnrollmentStatus, StaffRole
from services.enrollment.app import DEFINITION
from services.enrollment.commands import EnrollmentCommands, ReservationCommands
from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.domain.enrollments import Offering
from services.enrollment.domain.reservations import Reservation
from services.shared.errors import CommandRejected, Conflict
from services.shared.http import create_http_app
from services.shared.identity.access import Principal, Role
from tests.support.factories import offering_details
from tests.support.fakes import FakeEnrollmentDatabase, signed_in_gate

pytestmark = pytest.mark.unit

TWICE = "members: a staff member appears more than once"
LEADER = uuid4()
"""The school leader who reserves, and who calls the HTTP API below."""


def with_offering(
    *, withdrawn: bool = False, dated: bool = True
) -> tuple[FakeEnrollmentDatabase, Offering]:
    db = FakeEnrollmentDatabase()
    details = offering_details(capacity=4) if dated else offering_details(capacity=4, sessions=())
    offering = Offering(details, withdrawn)
    db.store.offerings[offering.offering_id] = offering
    return db, offering


def member(offering: Offering) -> StaffMember:
    return StaffMember(uuid4(), offering.details.board_id, StaffRole.TEACHER)


async def test_a_team_is_enrolled_together() -> None:
    db, offering = with_offering()
    team = [member(offering), member(offering)]
    made, warnings = await EnrollmentCommands(db.begin).enrol_team(offering.offering_id, team)
    assert [(e.staff_id, e.status) for e in made] == [
        (m.staff_id, EnrollmentStatus.ENROLLED) for m in team
    ]
    assert warnings == []
    assert [(type(ev), ev.via) for ev in db.committed if isinstance(ev, Enrolled)] == [
        (Enrolled, EnrolledVia.TEAM)
    ] * 2
    assert len(db.committed) == 2


@pytest.mark.parametrize(
    ("withdrawn", "dated", "why"),
    [
        (True, True, "the offering was withdrawn"),
        (False, False, "the offering has no dates yet: staff can join its interest list"),
    ],
    ids=["withdrawn", "no dates"],
)
async def test_a_team_is_not_enrolled_in_a_withdrawn_or_undated_offering(
    withdrawn: bool, dated: bool, why: str
) -> None:
    db, offering = with_offering(withdrawn=withdrawn, dated=dated)
    with pytest.raises(Conflict) as refused:
        await EnrollmentCommands(db.begin).enrol_team(offering.offering_id, [member(offering)])
    assert refused.value.message == why
    assert (db.store.enrollments, db.committed) == ({}, [])


async def test_a_team_with_a_member_twice_is_refused() -> None:
    db, offering = with_offering()
    twice, other = member(offering), member(offering)
    with pytest.raises(CommandRejected) as refused:
        await EnrollmentCommands(db.begin).enrol_team(offering.offering_id, [twice, other, twice])
    assert type(refused.value) is CommandRejected  # the request's error (422)
    assert refused.value.message == TWICE
    assert (db.store.enrollments, db.committed) == ({}, [])


def reserved(db: FakeEnrollmentDatabase, offering: Offering, seats: int) -> Reservation:
    """Seats a school leader of the offering's board holds, none named yet."""
    held = Reservation(
        uuid4(), offering.offering_id, LEADER, offering.details.board_id, seats, 0, False
    )
    db.store.reservations[held.reservation_id] = held
    return held


async def test_reserved_seats_are_filled_with_names() -> None:
    db, offering = with_offering()
    held = reserved(db, offering, 3)
    team = [member(offering), member(offering)]
    made = await ReservationCommands(db.begin).fill(held.reservation_id, team)
    assert [(e.staff_id, e.status) for e in made] == [
        (m.staff_id, EnrollmentStatus.ENROLLED) for m in team
    ]
    assert db.store.reservations[held.reservation_id].filled == 2
    assert [(type(ev), ev.via) for ev in db.committed if isinstance(ev, Enrolled)] == [
        (Enrolled, EnrolledVia.RESERVATION)
    ] * 2
    assert len(db.committed) == 2


async def test_filling_reserved_seats_with_a_member_twice_is_refused() -> None:
    db, offering = with_offering()
    held = reserved(db, offering, 3)
    twice = member(offering)
    with pytest.raises(CommandRejected) as refused:
        await ReservationCommands(db.begin).fill(held.reservation_id, [twice, twice])
    assert type(refused.value) is CommandRejected
    assert refused.value.message == TWICE
    assert db.store.reservations[held.reservation_id] == held  # nothing filled
    assert db.store.enrollments == {}
    assert db.committed == []


async def test_a_reservation_is_released_once() -> None:
    db, offering = with_offering()
    held = reserved(db, offering, 3)
    await ReservationCommands(db.begin).fill(held.reservation_id, [member(offering)])
    released = await ReservationCommands(db.begin).release(held.reservation_id)
    assert (released.filled, released.open, released.released) == (1, 0, True)
    with pytest.raises(Conflict) as refused:
        await ReservationCommands(db.begin).release(held.reservation_id)
    assert refused.value.message == "the reservation was already released"
    assert db.store.reservations[held.reservation_id] == released
    given_back = [ev for ev in db.committed if isinstance(ev, ReservationReleased)]
    assert [(ev.reservation_id, ev.seats_released) for ev in given_back] == [
        (held.reservation_id, 2)
    ]
    assert await db.store.count_seated(offering.offering_id) == 1


# The request bodies: a member twice never reaches the commands.


def client(db: FakeEnrollmentDatabase, board: UUID) -> httpx.AsyncClient:
    """Enrollment's HTTP API on the fake (no lifespan: no pool, broker or relay), called by
    a school leader whose school everyone named is in."""
    app = create_http_app(DEFINITION, DEFINITION.settings(database_url="postgresql://unused"))
    leader = Principal(
        "unit", "leader", "Leider", board, frozenset({Role.STAFF, Role.LEADER}), LEADER,
        frozenset({uuid4()}),
    )  # fmt: skip
    app.state.runtime = SimpleNamespace(database=db, gate=signed_in_gate(leader, DEFINITION.policy))
    app.state.use_cases = {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://enrollment",
        headers={"Authorization": "Bearer leader"},
    )


def members(*ids: UUID) -> list[dict[str, str]]:
    return [{"staff_id": str(i), "role": "teacher"} for i in ids]


def refusals(response: httpx.Response) -> list[tuple[list[Any], str]]:
    assert response.status_code == 422, response.text
    return [(e["loc"], e["msg"]) for e in response.json()["detail"]]


SCHEMA_TWICE = (["body", "members"], "Value error, a staff member appears more than once")


async def test_a_team_request_with_a_member_twice_is_a_422_and_enrols_nobody() -> None:
    db, offering = with_offering()
    twice, other = uuid4(), uuid4()
    body = {
        "offering_id": str(offering.offering_id),
        "board_id": str(offering.details.board_id),
        "members": members(twice, other, twice),
    }
    async with client(db, offering.details.board_id) as http:
        refused = await http.post("/teams/enrollments", json=body)
        assert refusals(refused) == [SCHEMA_TWICE]
        assert (db.store.enrollments, db.committed) == ({}, [])
        made = await http.post(
            "/teams/enrollments", json={**body, "members": members(twice, other)}
        )
    assert made.status_code == 201, made.text
    assert [e["status"] for e in made.json()["enrollments"]] == ["enrolled", "enrolled"]


async def test_a_fill_request_with_a_member_twice_is_a_422_and_fills_nothing() -> None:
    db, offering = with_offering()
    held = reserved(db, offering, 2)
    twice = uuid4()
    url = f"/reservations/{held.reservation_id}/fill"
    async with client(db, offering.details.board_id) as http:
        refused = await http.post(url, json={"members": members(twice, twice)})
        assert refusals(refused) == [SCHEMA_TWICE]
        assert db.store.reservations[held.reservation_id] == held
        made = await http.post(url, json={"members": members(twice, uuid4())})
    assert made.status_code == 200, made.text
    assert [e["status"] for e in made.json()] == ["enrolled", "enrolled"]


async def test_a_reservation_sent_again_with_its_key_is_the_same_reservation() -> None:
    db, offering = with_offering()
    path, leader = f"/offerings/{offering.offering_id}/reservations", str(LEADER)
    body = {"leader_id": leader, "board_id": str(offering.details.board_id), "seats": 2}
    key = {"Idempotency-Key": "leader-request-1"}
    async with client(db, offering.details.board_id) as http:
        made = await http.post(path, json=body, headers=key)
        again = await http.post(path, json=body, headers=key)
        other = await http.post(path, json={**body, "seats": 1}, headers=key)
        unkeyed = await http.post(path, json=body)
    assert (made.status_code, again.status_code) == (201, 200)
    assert again.json() == made.json()
    assert other.status_code == 422
    assert other.json()["detail"] == (
        "Idempotency-Key 'leader-request-1' was used for another request"
        f" (2 seat(s) of offering {offering.offering_id})"
    )
    assert unkeyed.status_code == 201 and unkeyed.json() != made.json()
    assert len(db.store.reservations) == 2
    assert [type(e).__name__ for e in db.committed] == ["SeatsReserved", "SeatsReserved"]


async def test_without_a_token_the_body_is_never_read() -> None:
    """No token: 401, whatever the body (FastAPI would parse it before a route's checks)."""
    db, offering = with_offering()
    async with client(db, offering.details.board_id) as http:
        for body in (b"{not json", b'{"members": 1}'):
            refused = await http.post(
                "/teams/enrollments",
                content=body,
                headers={"Authorization": "", "Content-Type": "application/json"},
            )
            assert refused.status_code == 401, refused.text
            assert refused.headers["www-authenticate"] == 'Bearer realm="huisacademie"'
        alive = await http.get("/health/live", headers={"Authorization": ""})
    assert alive.status_code == 200
