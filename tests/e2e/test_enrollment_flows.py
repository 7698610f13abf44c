"""Enrollment through HTTP and Kafka: the interest list turning into seats, team
enrollment, approval, withdrawal cancelling everyone, and the calendar feed following an
update of the offering. Every request is made by the person who would make it: the board's
administrator sets up the academy, its administrator publishes and changes offerings, staff
enrol themselves, and the school leader enrols teams, reserves seats and approves."""

import uuid
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from huisacademie.demo import Endpoints, wait_for
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e

SESSION = {"starts_at": "2027-01-12T09:00:00+01:00", "ends_at": "2027-01-12T12:00:00+01:00"}


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


@pytest.fixture(scope="module")
def board() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def academy(endpoints: Endpoints, people: People, board: str) -> str:
    body = {"name": "Academie Oost", "board_id": board}
    by = people.board_admin(board)
    made = ok(httpx.post(f"{endpoints.catalogue}/academies", json=body, headers=by.headers))
    academy_id: str = made["academy_id"]
    return academy_id


@pytest.fixture(scope="module")
def admin(people: People, board: str, academy: str) -> Caller:
    """The academy's administrator: publishes and changes its offerings."""
    return people.academy_admin(board, academy)


@pytest.fixture(scope="module")
def school() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def leader(people: People, board: str, school: str) -> Caller:
    """The school's leader: enrols teams of its staff, reserves seats, approves."""
    return people.leader(board, school)


def publish(endpoints: Endpoints, admin: Caller, academy: str, **fields: Any) -> dict[str, Any]:
    body = {
        "academy_id": academy,
        "title": "Feedback geven",
        "kind": "workshop",
        "study_hours": 3,
        **fields,
    }
    offering: dict[str, Any] = ok(
        httpx.post(f"{endpoints.catalogue}/offerings", json=body, headers=admin.headers)
    )
    known = f"{endpoints.enrollment}/offerings/{offering['offering_id']}"
    wait_for(
        "enrollment to know the offering",
        lambda: httpx.get(known, headers=admin.headers).is_success,
    )
    return offering


def enrol(endpoints: Endpoints, staff: Caller, offering_id: str, **extra: Any) -> dict[str, Any]:
    """The staff member enrols themself: who and which board come from their token."""
    body = {"role": "teacher", "offering_id": offering_id, **extra}
    made: dict[str, Any] = ok(
        httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=staff.headers)
    )
    return made


def statuses(endpoints: Endpoints, by: Caller, made: list[dict[str, Any]]) -> list[str]:
    url = f"{endpoints.enrollment}/enrollments"
    return [
        ok(httpx.get(f"{url}/{e['enrollment_id']}", headers=by.headers))["status"] for e in made
    ]


def placed(people: People, board: str, school: str) -> dict[str, str]:
    """A team member: staff of the leader's school who never signs in."""
    staff_id = str(uuid.uuid4())
    people.place(staff_id, board, school)
    return {"staff_id": staff_id, "role": "teacher"}


def test_adding_dates_turns_the_interest_list_into_seats(
    endpoints: Endpoints, people: People, academy: str, admin: Caller, board: str
) -> None:
    offering = publish(endpoints, admin, academy, capacity=2)
    made = [enrol(endpoints, people.staff(board), offering["offering_id"]) for _ in range(3)]
    assert [e["status"] for e in made] == ["interested"] * 3
    ok(
        httpx.patch(
            f"{endpoints.catalogue}/offerings/{offering['offering_id']}",
            json={"sessions": [SESSION]},
            headers=admin.headers,
        )
    )
    wait_for(
        "seats offered in order",
        lambda: statuses(endpoints, admin, made) == ["enrolled", "enrolled", "waitlisted"],
    )


def test_a_team_gets_all_its_seats_or_none(
    endpoints: Endpoints,
    people: People,
    academy: str,
    admin: Caller,
    board: str,
    school: str,
    leader: Caller,
) -> None:
    offering = publish(endpoints, admin, academy, capacity=3, sessions=[SESSION])
    url = f"{endpoints.enrollment}/teams/enrollments"
    team: dict[str, Any] = {
        "offering_id": offering["offering_id"],
        "members": [placed(people, board, school) for _ in range(4)],
    }
    # The leader is the caller: a body naming another leader is refused, not overwritten.
    as_another = httpx.post(
        url, json={**team, "leader_id": str(uuid.uuid4())}, headers=leader.headers
    )
    assert as_another.status_code == 403
    assert "leader_id must be you" in as_another.text
    short = httpx.post(url, json=team, headers=leader.headers)
    assert short.status_code == 409
    assert "3 seat(s) free and the team has 4 members: nobody was enrolled" in short.text
    team["members"] = team["members"][:3]
    made = ok(httpx.post(url, json=team, headers=leader.headers))
    assert [e["status"] for e in made["enrollments"]] == ["enrolled"] * 3
    seats = ok(
        httpx.get(
            f"{endpoints.enrollment}/offerings/{offering['offering_id']}", headers=admin.headers
        )
    )
    assert (seats["enrolled"], seats["capacity"]) == (3, 3)


def test_a_member_named_twice_is_refused_before_anyone_gets_a_seat(
    endpoints: Endpoints,
    people: People,
    academy: str,
    admin: Caller,
    board: str,
    school: str,
    leader: Caller,
) -> None:
    offering = publish(endpoints, admin, academy, capacity=4, sessions=[SESSION])
    oid = offering["offering_id"]
    twice = placed(people, board, school)
    team = {
        "offering_id": oid,
        "members": [twice, placed(people, board, school), twice],
    }
    refused = httpx.post(
        f"{endpoints.enrollment}/teams/enrollments", json=team, headers=leader.headers
    )
    assert refused.status_code == 422
    assert [(e["loc"], e["msg"]) for e in refused.json()["detail"]] == [
        (["body", "members"], "Value error, a staff member appears more than once")
    ]
    held = ok(
        httpx.post(
            f"{endpoints.enrollment}/offerings/{oid}/reservations",
            json={"seats": 2},
            headers=leader.headers,
        )
    )
    url = f"{endpoints.enrollment}/reservations/{held['reservation_id']}"
    unfilled = httpx.post(f"{url}/fill", json={"members": [twice, twice]}, headers=leader.headers)
    assert unfilled.status_code == 422
    assert "a staff member appears more than once" in unfilled.text
    reservation = ok(httpx.get(url, headers=leader.headers))
    assert (reservation["filled"], reservation["open"]) == (0, 2)
    # The academy's administrator sees who holds the seats: nobody yet.
    seats = ok(httpx.get(f"{endpoints.enrollment}/offerings/{oid}", headers=admin.headers))
    assert (seats["enrolled"], seats["enrollments"]) == (2, [])  # the two reserved seats only


def test_an_offering_that_needs_approval_waits_for_the_school_leader(
    endpoints: Endpoints,
    people: People,
    academy: str,
    admin: Caller,
    board: str,
    school: str,
    leader: Caller,
) -> None:
    offering = publish(
        endpoints, admin, academy, capacity=5, sessions=[SESSION], requires_approval=True
    )
    asked, other = (
        enrol(endpoints, people.staff(board, schools=[school]), offering["offering_id"])
        for _ in range(2)
    )
    assert (asked["status"], other["status"]) == ("requested", "requested")
    url = f"{endpoints.enrollment}/enrollments"
    # The approver is the caller: naming another approver is refused.
    as_another = httpx.post(
        f"{url}/{asked['enrollment_id']}/approve",
        json={"approver_id": str(uuid.uuid4())},
        headers=leader.headers,
    )
    assert as_another.status_code == 403
    assert "approver_id must be you" in as_another.text
    approved = ok(
        httpx.post(
            f"{url}/{asked['enrollment_id']}/approve",
            json={"approver_id": leader.id},
            headers=leader.headers,
        )
    )
    declined = ok(
        httpx.post(
            f"{url}/{other['enrollment_id']}/decline",
            json={"reason": "not this year"},
            headers=leader.headers,
        )
    )
    assert (approved["status"], declined["status"]) == ("enrolled", "declined")
    history = ok(httpx.get(f"{url}/{asked['enrollment_id']}/history", headers=leader.headers))
    assert [h["type"].split(".")[-2] for h in history] == ["enrollment_requested", "enrolled"]


def test_withdrawal_cancels_everyone_and_the_portfolio_shows_it(
    endpoints: Endpoints, people: People, academy: str, admin: Caller, board: str
) -> None:
    offering = publish(endpoints, admin, academy, capacity=1, sessions=[SESSION])
    staff = [people.staff(board) for _ in range(3)]
    made = [enrol(endpoints, s, offering["offering_id"]) for s in staff]
    assert [e["status"] for e in made] == ["enrolled", "waitlisted", "waitlisted"]
    ok(
        httpx.post(
            f"{endpoints.catalogue}/offerings/{offering['offering_id']}/withdraw",
            json={"reason": "trainer ill"},
            headers=admin.headers,
        )
    )
    wait_for("everyone cancelled", lambda: statuses(endpoints, admin, made) == ["cancelled"] * 3)
    first = staff[0]
    assert made[0]["staff_id"] == first.id

    def shown_cancelled() -> bool:
        url = f"{endpoints.portfolio}/staff/{first.id}/portfolio"
        body = ok(httpx.get(url, headers=first.headers))
        return [e["status"] for e in body["entries"]] == ["cancelled"]

    wait_for("the portfolio to show the cancellation", shown_cancelled)


def test_the_calendar_follows_a_moved_session(
    endpoints: Endpoints, people: People, academy: str, admin: Caller, board: str
) -> None:
    offering = publish(endpoints, admin, academy, sessions=[SESSION])
    staff = people.staff(board)
    made = enrol(endpoints, staff, offering["offering_id"])
    # The person's feed is at a secret address they ask for; fetching it takes no token
    # (calendar applications cannot send one).
    feed = ok(
        httpx.post(
            f"{endpoints.enrollment}/staff/{staff.id}/calendar-feed", json={}, headers=staff.headers
        )
    )
    url = feed["url"]

    def event() -> Any:
        response = httpx.get(url)
        assert response.status_code == 200, f"{response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("text/calendar")
        [vevent] = Calendar.from_ical(response.content).walk("VEVENT")
        return vevent

    before = event()
    moved = {
        **SESSION,
        "session_id": offering["sessions"][0]["session_id"],
        "starts_at": "2027-01-19T13:00:00+01:00",
        "ends_at": "2027-01-19T16:00:00+01:00",
    }
    ok(
        httpx.patch(
            f"{endpoints.catalogue}/offerings/{offering['offering_id']}",
            json={"sessions": [moved]},
            headers=admin.headers,
        )
    )
    after = wait_for(
        "the calendar to follow", lambda: (e := event())["SEQUENCE"] > before["SEQUENCE"] and e
    )
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART").isoformat() == "2027-01-19T12:00:00+00:00"
    assert str(after["STATUS"]) == "CONFIRMED"
    ok(
        httpx.post(
            f"{endpoints.enrollment}/enrollments/{made['enrollment_id']}/cancel",
            json={},
            headers=staff.headers,
        )
    )
    assert str(event()["STATUS"]) == "CANCELLED"


def test_reserved_seats_fill_with_names_and_the_rest_go_back(
    endpoints: Endpoints,
    people: People,
    academy: str,
    admin: Caller,
    board: str,
    school: str,
    leader: Caller,
) -> None:
    offering = publish(endpoints, admin, academy, capacity=4, sessions=[SESSION])
    oid = offering["offering_id"]
    held = ok(
        httpx.post(
            f"{endpoints.enrollment}/offerings/{oid}/reservations",
            json={"seats": 3},
            headers=leader.headers,
        )
    )
    outside = [enrol(endpoints, people.staff(board), oid) for _ in range(2)]
    assert [e["status"] for e in outside] == ["enrolled", "waitlisted"]
    url = f"{endpoints.enrollment}/reservations/{held['reservation_id']}"
    named = ok(
        httpx.post(
            f"{url}/fill",
            json={"members": [placed(people, board, school)]},
            headers=leader.headers,
        )
    )
    assert [e["status"] for e in named] == ["enrolled"]
    released = ok(httpx.post(f"{url}/release", headers=leader.headers))
    assert (released["filled"], released["open"], released["released"]) == (1, 0, True)
    assert statuses(endpoints, admin, outside) == ["enrolled", "enrolled"]

    def catalogue_counts() -> bool:
        found = ok(httpx.get(f"{endpoints.catalogue}/offerings/{oid}", headers=admin.headers))
        return bool(found["seats_taken"] == 3 and found["seats_free"] == 1)

    wait_for("the catalogue to count the seats", catalogue_counts)


def test_a_clash_needs_confirming_and_an_ineligible_request_says_why(
    endpoints: Endpoints, people: People, academy: str, admin: Caller, board: str
) -> None:
    first = publish(endpoints, admin, academy, sessions=[SESSION])
    second = publish(endpoints, admin, academy, sessions=[SESSION])
    staff = people.staff(board)
    enrol(endpoints, staff, first["offering_id"])
    url = f"{endpoints.enrollment}/enrollments"
    body = {"role": "teacher", "offering_id": second["offering_id"]}
    clash = httpx.post(url, json=body, headers=staff.headers)
    assert clash.status_code == 409
    assert "overlap" in clash.text and "confirm_overlap" in clash.text
    confirmed = ok(httpx.post(url, json={**body, "confirm_overlap": True}, headers=staff.headers))
    assert confirmed["status"] == "enrolled"
    assert confirmed["staff_id"] == staff.id
    assert confirmed["warnings"] and "overlaps Feedback geven" in confirmed["warnings"][0]
    leaders_only = publish(
        endpoints, admin, academy, sessions=[SESSION], audience={"roles": ["school_leader"]}
    )
    refused = httpx.post(
        url, json={**body, "offering_id": leaders_only["offering_id"]}, headers=staff.headers
    )
    assert refused.status_code == 422
    assert "this offering is for school_leader; the staff member is teacher" in refused.text
    # Staff of another board (their board is their token's) may not enrol in an offering
    # shown to this board only.
    outsider = people.staff(str(uuid.uuid4()))
    other_board = httpx.post(
        url, json={**body, "offering_id": first["offering_id"]}, headers=outsider.headers
    )
    assert other_board.status_code == 422
    assert "only for staff of the board" in other_board.text
    # Nobody names another board, or another person, to enrol as them: refused (403).
    for field, refusal in (
        ("board_id", "board_id must be your own board"),
        ("staff_id", "staff_id must be you"),
    ):
        named = httpx.post(url, json={**body, field: str(uuid.uuid4())}, headers=staff.headers)
        assert named.status_code == 403, named.text
        assert refusal in named.json()["detail"]
