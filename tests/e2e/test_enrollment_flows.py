"""Enrollment through HTTP and Kafka: the interest list turning into seats, team
enrollment, approval, withdrawal cancelling everyone, and the calendar feed following an
update of the offering."""

import uuid
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from huisacademie.demo import Endpoints, wait_for

pytestmark = pytest.mark.e2e

SESSION = {"starts_at": "2027-01-12T09:00:00+01:00", "ends_at": "2027-01-12T12:00:00+01:00"}


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


@pytest.fixture(scope="module")
def board() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def academy(endpoints: Endpoints, board: str) -> str:
    body = {"name": "Academie Oost", "board_id": board}
    academy_id: str = ok(httpx.post(f"{endpoints.catalogue}/academies", json=body))["academy_id"]
    return academy_id


def publish(endpoints: Endpoints, academy: str, **fields: Any) -> dict[str, Any]:
    body = {
        "academy_id": academy,
        "title": "Feedback geven",
        "kind": "workshop",
        "study_hours": 3,
        **fields,
    }
    offering: dict[str, Any] = ok(httpx.post(f"{endpoints.catalogue}/offerings", json=body))
    wait_for(
        "enrollment to know the offering",
        lambda: httpx.get(f"{endpoints.enrollment}/offerings/{offering['offering_id']}").is_success,
    )
    return offering


def enrol(endpoints: Endpoints, board: str, offering_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "staff_id": extra.pop("staff_id", str(uuid.uuid4())),
        "board_id": board,
        "role": "teacher",
        "offering_id": offering_id,
        **extra,
    }
    made: dict[str, Any] = ok(httpx.post(f"{endpoints.enrollment}/enrollments", json=body))
    return made


def statuses(endpoints: Endpoints, made: list[dict[str, Any]]) -> list[str]:
    url = f"{endpoints.enrollment}/enrollments"
    return [ok(httpx.get(f"{url}/{e['enrollment_id']}"))["status"] for e in made]


def test_adding_dates_turns_the_interest_list_into_seats(
    endpoints: Endpoints, academy: str, board: str
) -> None:
    offering = publish(endpoints, academy, capacity=2)
    made = [enrol(endpoints, board, offering["offering_id"]) for _ in range(3)]
    assert [e["status"] for e in made] == ["interested"] * 3
    ok(
        httpx.patch(
            f"{endpoints.catalogue}/offerings/{offering['offering_id']}",
            json={"sessions": [SESSION]},
        )
    )
    wait_for(
        "seats offered in order",
        lambda: statuses(endpoints, made) == ["enrolled", "enrolled", "waitlisted"],
    )


def test_a_team_gets_all_its_seats_or_none(endpoints: Endpoints, academy: str, board: str) -> None:
    offering = publish(endpoints, academy, capacity=3, sessions=[SESSION])
    team = {
        "offering_id": offering["offering_id"],
        "leader_id": str(uuid.uuid4()),
        "board_id": board,
        "members": [{"staff_id": str(uuid.uuid4()), "role": "teacher"} for _ in range(4)],
    }
    short = httpx.post(f"{endpoints.enrollment}/teams/enrollments", json=team)
    assert short.status_code == 409
    assert "3 seat(s) free and the team has 4 members: nobody was enrolled" in short.text
    team["members"] = team["members"][:3]
    made = ok(httpx.post(f"{endpoints.enrollment}/teams/enrollments", json=team))
    assert [e["status"] for e in made["enrollments"]] == ["enrolled"] * 3
    seats = ok(httpx.get(f"{endpoints.enrollment}/offerings/{offering['offering_id']}"))
    assert (seats["enrolled"], seats["capacity"]) == (3, 3)


def test_a_member_named_twice_is_refused_before_anyone_gets_a_seat(
    endpoints: Endpoints, academy: str, board: str
) -> None:
    offering = publish(endpoints, academy, capacity=4, sessions=[SESSION])
    oid = offering["offering_id"]
    twice = {"staff_id": str(uuid.uuid4()), "role": "teacher"}
    team = {
        "offering_id": oid,
        "leader_id": str(uuid.uuid4()),
        "board_id": board,
        "members": [twice, {"staff_id": str(uuid.uuid4()), "role": "teacher"}, twice],
    }
    refused = httpx.post(f"{endpoints.enrollment}/teams/enrollments", json=team)
    assert refused.status_code == 422
    assert [(e["loc"], e["msg"]) for e in refused.json()["detail"]] == [
        (["body", "members"], "Value error, a staff member appears more than once")
    ]
    held = ok(
        httpx.post(
            f"{endpoints.enrollment}/offerings/{oid}/reservations",
            json={"leader_id": str(uuid.uuid4()), "board_id": board, "seats": 2},
        )
    )
    url = f"{endpoints.enrollment}/reservations/{held['reservation_id']}"
    unfilled = httpx.post(f"{url}/fill", json={"members": [twice, twice]})
    assert unfilled.status_code == 422
    assert "a staff member appears more than once" in unfilled.text
    reservation = ok(httpx.get(url))
    assert (reservation["filled"], reservation["open"]) == (0, 2)
    seats = ok(httpx.get(f"{endpoints.enrollment}/offerings/{oid}"))
    assert (seats["enrolled"], seats["enrollments"]) == (2, [])  # the two reserved seats only


def test_an_offering_that_needs_approval_waits_for_the_school_leader(
    endpoints: Endpoints, academy: str, board: str
) -> None:
    offering = publish(endpoints, academy, capacity=5, sessions=[SESSION], requires_approval=True)
    asked, other = (enrol(endpoints, board, offering["offering_id"]) for _ in range(2))
    assert (asked["status"], other["status"]) == ("requested", "requested")
    url = f"{endpoints.enrollment}/enrollments"
    leader = str(uuid.uuid4())
    approved = ok(
        httpx.post(f"{url}/{asked['enrollment_id']}/approve", json={"approver_id": leader})
    )
    declined = ok(
        httpx.post(
            f"{url}/{other['enrollment_id']}/decline",
            json={"approver_id": leader, "reason": "not this year"},
        )
    )
    assert (approved["status"], declined["status"]) == ("enrolled", "declined")
    history = ok(httpx.get(f"{url}/{asked['enrollment_id']}/history"))
    assert [h["type"].split(".")[-2] for h in history] == ["enrollment_requested", "enrolled"]


def test_withdrawal_cancels_everyone_and_the_portfolio_shows_it(
    endpoints: Endpoints, academy: str, board: str
) -> None:
    offering = publish(endpoints, academy, capacity=1, sessions=[SESSION])
    made = [enrol(endpoints, board, offering["offering_id"]) for _ in range(3)]
    assert [e["status"] for e in made] == ["enrolled", "waitlisted", "waitlisted"]
    ok(
        httpx.post(
            f"{endpoints.catalogue}/offerings/{offering['offering_id']}/withdraw",
            json={"reason": "trainer ill"},
        )
    )
    wait_for("everyone cancelled", lambda: statuses(endpoints, made) == ["cancelled"] * 3)
    staff_id = made[0]["staff_id"]

    def shown_cancelled() -> bool:
        body = ok(httpx.get(f"{endpoints.portfolio}/staff/{staff_id}/portfolio"))
        return [e["status"] for e in body["entries"]] == ["cancelled"]

    wait_for("the portfolio to show the cancellation", shown_cancelled)


def test_the_calendar_follows_a_moved_session(
    endpoints: Endpoints, academy: str, board: str
) -> None:
    offering = publish(endpoints, academy, sessions=[SESSION])
    made = enrol(endpoints, board, offering["offering_id"])
    url = f"{endpoints.enrollment}/staff/{made['staff_id']}/calendar.ics"

    def event() -> Any:
        response = httpx.get(url)
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
            f"{endpoints.catalogue}/offerings/{offering['offering_id']}", json={"sessions": [moved]}
        )
    )
    after = wait_for(
        "the calendar to follow", lambda: (e := event())["SEQUENCE"] > before["SEQUENCE"] and e
    )
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART").isoformat() == "2027-01-19T12:00:00+00:00"
    assert str(after["STATUS"]) == "CONFIRMED"
    ok(httpx.post(f"{endpoints.enrollment}/enrollments/{made['enrollment_id']}/cancel", json={}))
    assert str(event()["STATUS"]) == "CANCELLED"


def test_reserved_seats_fill_with_names_and_the_rest_go_back(
    endpoints: Endpoints, academy: str, board: str
) -> None:
    offering = publish(endpoints, academy, capacity=4, sessions=[SESSION])
    oid = offering["offering_id"]
    held = ok(
        httpx.post(
            f"{endpoints.enrollment}/offerings/{oid}/reservations",
            json={"leader_id": str(uuid.uuid4()), "board_id": board, "seats": 3},
        )
    )
    outside = [enrol(endpoints, board, oid) for _ in range(2)]
    assert [e["status"] for e in outside] == ["enrolled", "waitlisted"]
    url = f"{endpoints.enrollment}/reservations/{held['reservation_id']}"
    named = ok(
        httpx.post(
            f"{url}/fill", json={"members": [{"staff_id": str(uuid.uuid4()), "role": "teacher"}]}
        )
    )
    assert [e["status"] for e in named] == ["enrolled"]
    released = ok(httpx.post(f"{url}/release"))
    assert (released["filled"], released["open"], released["released"]) == (1, 0, True)
    assert statuses(endpoints, outside) == ["enrolled", "enrolled"]

    def catalogue_counts() -> bool:
        found = ok(httpx.get(f"{endpoints.catalogue}/offerings/{oid}"))
        return bool(found["seats_taken"] == 3 and found["seats_free"] == 1)

    wait_for("the catalogue to count the seats", catalogue_counts)


def test_a_clash_needs_confirming_and_an_ineligible_request_says_why(
    endpoints: Endpoints, academy: str, board: str
) -> None:
    first = publish(endpoints, academy, sessions=[SESSION])
    second = publish(endpoints, academy, sessions=[SESSION])
    staff_id = str(uuid.uuid4())
    enrol(endpoints, board, first["offering_id"], staff_id=staff_id)
    body = {
        "staff_id": staff_id,
        "board_id": board,
        "role": "teacher",
        "offering_id": second["offering_id"],
    }
    clash = httpx.post(f"{endpoints.enrollment}/enrollments", json=body)
    assert clash.status_code == 409
    assert "overlap" in clash.text and "confirm_overlap" in clash.text
    confirmed = ok(
        httpx.post(f"{endpoints.enrollment}/enrollments", json={**body, "confirm_overlap": True})
    )
    assert confirmed["status"] == "enrolled"
    assert confirmed["warnings"] and "overlaps Feedback geven" in confirmed["warnings"][0]
    leaders_only = publish(
        endpoints, academy, sessions=[SESSION], audience={"roles": ["school_leader"]}
    )
    refused = httpx.post(
        f"{endpoints.enrollment}/enrollments",
        json={**body, "offering_id": leaders_only["offering_id"]},
    )
    assert refused.status_code == 422
    assert "this offering is for school_leader; the staff member is teacher" in refused.text
    other_board = httpx.post(
        f"{endpoints.enrollment}/enrollments",
        json={**body, "board_id": str(uuid.uuid4()), "offering_id": first["offering_id"]},
    )
    assert other_board.status_code == 422
    assert "only for staff of the board" in other_board.text
