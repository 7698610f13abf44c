"""E-mail from the web application, as it arrives at the stack's mail catcher (a real SMTP
server): a place from the waiting list with its calendar entry, a school leader asked to
approve with the link to the approvals, a moved session with the updated calendar entry;
and a CourseUpdated delivered again (the same record, and the same fact under a new event
id) makes no second message. Every request is made by the person who would make it."""

import asyncio
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from icalendar import Calendar

from contracts import Envelope, Event, decode
from contracts.catalogue import CourseUpdated
from contracts.topics import OFFERINGS
from huisacademie.demo import Endpoints, wait_for
from huisacademie.system import System
from tests.support.infra import Infrastructure
from tests.support.kafka import as_record, produce, read_all
from tests.support.mail import Arrived, Mailbox
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e

STARTS = datetime.fromisoformat("2027-03-09T09:00:00+01:00")
SWEEP_S = 1.0
"""The mail job's interval on the local stack (System._web_env: WEB_MAIL_SWEEP_S)."""
SESSION = {"starts_at": STARTS.isoformat(), "ends_at": (STARTS + timedelta(hours=3)).isoformat()}


def ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()


def address() -> str:
    return f"t-{uuid.uuid4().hex[:12]}@voorbeeld.nl"


@pytest.fixture(scope="module")
def board() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def school() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def admin(endpoints: Endpoints, people: People, board: str) -> Caller:
    """The administrator of a new academy of the board."""
    body = {"name": "Academie Zuid", "board_id": board}
    by = people.board_admin(board)
    made = ok(httpx.post(f"{endpoints.catalogue}/academies", json=body, headers=by.headers))
    return people.academy_admin(board, made["academy_id"])


def publish(endpoints: Endpoints, admin: Caller, title: str, **fields: Any) -> dict[str, Any]:
    (academy,) = admin.academies
    body = {"academy_id": str(academy), "title": title, "kind": "workshop", "study_hours": 3,
            "sessions": [SESSION], **fields}  # fmt: skip
    offering: dict[str, Any] = ok(
        httpx.post(f"{endpoints.catalogue}/offerings", json=body, headers=admin.headers)
    )
    known = f"{endpoints.enrollment}/offerings/{offering['offering_id']}"
    wait_for("enrollment to know it", lambda: httpx.get(known, headers=admin.headers).is_success)
    return offering


def enrol(endpoints: Endpoints, staff: Caller, offering_id: str) -> dict[str, Any]:
    body = {"role": "teacher", "offering_id": offering_id}
    made: dict[str, Any] = ok(
        httpx.post(f"{endpoints.enrollment}/enrollments", json=body, headers=staff.headers)
    )
    return made


def staff(people: People, board: str, school: str) -> tuple[Caller, str]:
    email = address()
    return people.staff(board, schools=[school], email=email), email


def calendar_of(mail: Arrived) -> Calendar:
    assert mail.calendar is not None, f"no calendar entry in {mail.subject!r}"
    return Calendar.from_ical(mail.calendar)


def test_a_place_from_the_waiting_list_is_mailed_with_its_calendar_entry(
    endpoints: Endpoints, people: People, admin: Caller, board: str, school: str, mailbox: Mailbox
) -> None:
    offering = publish(endpoints, admin, "Feedback geven", capacity=1)
    (first, _), (second, second_email) = staff(people, board, school), staff(people, board, school)
    seat = enrol(endpoints, first, offering["offering_id"])
    assert enrol(endpoints, second, offering["offering_id"])["status"] == "waitlisted"
    url = f"{endpoints.enrollment}/enrollments/{seat['enrollment_id']}/cancel"
    ok(httpx.post(url, json={"reason": ""}, headers=first.headers))

    (mail,) = mailbox.wait_for(second_email)
    assert mail.subject == "Je hebt een plek: Feedback geven"
    assert mail.text.startswith(f"Beste {second.username},")
    assert "van de wachtlijst ingeschreven" in mail.text
    assert "di 9 maart 2027, 09:00 - 12:00" in mail.text
    assert mail.calendar_method == "REQUEST"
    (event,) = calendar_of(mail).walk("VEVENT")
    assert event.decoded("dtstart") == STARTS
    assert str(event["attendee"]) == f"mailto:{second_email}"


def test_a_request_asks_each_school_leader_to_approve_with_a_link(
    endpoints: Endpoints,
    people: People,
    admin: Caller,
    board: str,
    school: str,
    mailbox: Mailbox,
    system: System,
) -> None:
    leader_email = address()
    people.leader(board, school, email=leader_email)
    offering = publish(endpoints, admin, "Rekenen", capacity=5, requires_approval=True)
    asking, _ = staff(people, board, school)
    assert enrol(endpoints, asking, offering["offering_id"])["status"] == "requested"

    (mail,) = mailbox.wait_for(leader_email)
    assert mail.subject == f"Goedkeuring gevraagd: {asking.username} voor Rekenen"
    assert f"{system.url('web')}/goedkeuringen" in mail.text
    assert mail.calendar is None


def test_a_moved_session_is_mailed_once_to_each_participant_with_the_new_time(
    endpoints: Endpoints,
    people: People,
    admin: Caller,
    board: str,
    school: str,
    mailbox: Mailbox,
    infrastructure: Infrastructure,
) -> None:
    web = WebDatabase(infrastructure.database_url("e2e_web"))
    offering = publish(endpoints, admin, "Lezen in groep 3", capacity=2)
    offering_id = offering["offering_id"]
    (one, one_email), (two, two_email) = staff(people, board, school), staff(people, board, school)
    for participant in (one, two):
        assert enrol(endpoints, participant, offering_id)["status"] == "enrolled"
    web.until("SELECT count(*) = 2 FROM mail_seats WHERE offering_id = $1", offering_id)
    moved_to = STARTS + timedelta(days=1, hours=4)
    (session,) = offering["sessions"]
    session = {**session, "starts_at": moved_to.isoformat(),
               "ends_at": (moved_to + timedelta(hours=3)).isoformat()}  # fmt: skip
    url = f"{endpoints.catalogue}/offerings/{offering_id}"
    ok(httpx.patch(url, json={"sessions": [session]}, headers=admin.headers))

    for email in (one_email, two_email):
        (mail,) = mailbox.wait_for(email)
        assert mail.subject == "Gewijzigd: Lezen in groep 3"
        assert "wo 10 maart 2027, 13:00 - 16:00" in mail.text
        (event,) = calendar_of(mail).walk("VEVENT")
        assert event.decoded("dtstart") == moved_to
        assert event.decoded("sequence") == 2
        assert str(event["uid"]).endswith(f".{session['session_id']}@huisacademie")

    # The same CourseUpdated again: the record as it was (the inbox drops it), and the same
    # fact under a new event id (its notice's and messages' ids are made of the offering,
    # its version and the person: the outbox drops it).
    updated = asyncio.run(_course_updated(infrastructure, offering_id))
    fresh = Envelope[Event].new(updated.data, updated.source)
    records = [as_record(updated), as_record(fresh)]
    asyncio.run(produce(infrastructure.kafka_bootstrap, OFFERINGS, records))
    web.until(
        "SELECT count(*) = 1 FROM inbox WHERE consumer = 'web.offerings' AND event_id = $1",
        fresh.id,
    )
    web.until("SELECT count(*) = 0 FROM mail_notices WHERE offering_id = $1", offering_id)
    time.sleep(2 * SWEEP_S)  # had it made a message, the mail job would have sent it now
    sent = "SELECT count(*) FROM mail_outbox WHERE recipient = ANY($1) AND sent_at IS NOT NULL"
    assert web.value(sent, [one_email, two_email]) == 2
    assert [len(mailbox.to(email)) for email in (one_email, two_email)] == [1, 1]


def test_a_withdrawal_is_mailed_with_a_cancellation_of_the_calendar_entry(
    endpoints: Endpoints,
    people: People,
    admin: Caller,
    board: str,
    school: str,
    mailbox: Mailbox,
    infrastructure: Infrastructure,
) -> None:
    web = WebDatabase(infrastructure.database_url("e2e_web"))
    offering = publish(endpoints, admin, "Coachen", capacity=1)
    offering_id = offering["offering_id"]
    (seated, seated_email), (waiting, waiting_email) = (
        staff(people, board, school), staff(people, board, school)
    )  # fmt: skip
    assert enrol(endpoints, seated, offering_id)["status"] == "enrolled"
    assert enrol(endpoints, waiting, offering_id)["status"] == "waitlisted"
    web.until("SELECT count(*) = 2 FROM mail_seats WHERE offering_id = $1", offering_id)
    url = f"{endpoints.catalogue}/offerings/{offering_id}/withdraw"
    ok(httpx.post(url, json={"reason": ""}, headers=admin.headers))

    (mail,) = mailbox.wait_for(seated_email)
    assert mail.subject == "Gaat niet door: Coachen"
    assert mail.calendar_method == "CANCEL"
    (event,) = calendar_of(mail).walk("VEVENT")
    assert (str(event["status"]), event.decoded("dtstart")) == ("CANCELLED", STARTS)
    (note,) = mailbox.wait_for(waiting_email)  # told, without an entry it never had
    assert "Je plaats op de wachtlijst is vervallen" in note.text
    assert note.calendar is None
    # Enrollment's cancellations that follow the withdrawal name the same notices: no more.
    web.until(
        "SELECT count(*) = 0 FROM mail_seats WHERE offering_id = $1 AND left_at IS NULL",
        offering_id,
    )
    time.sleep(2 * SWEEP_S)
    assert [len(mailbox.to(e)) for e in (seated_email, waiting_email)] == [1, 1]


async def _course_updated(infrastructure: Infrastructure, offering_id: str) -> Envelope[Event]:
    for record in reversed(await read_all(infrastructure.kafka_bootstrap, OFFERINGS)):
        envelope = decode(record.headers, record.value or b"")
        data = envelope.data
        if isinstance(data, CourseUpdated) and str(data.offering.offering_id) == offering_id:
            return envelope
    raise AssertionError(f"no CourseUpdated of {offering_id} on {OFFERINGS}")


class WebDatabase:
    """The web application's database, as the administrator: what its consumers applied."""

    def __init__(self, url: str) -> None:
        self.url = url

    def value(self, query: str, *args: object) -> Any:
        async def fetch() -> Any:
            conn = await asyncpg.connect(self.url)
            try:
                return await conn.fetchval(query, *args)
            finally:
                await conn.close()

        return asyncio.run(fetch())

    def until(self, query: str, *args: object) -> None:
        """Waits until the query says true."""
        wait_for(query, lambda: self.value(query, *args))
