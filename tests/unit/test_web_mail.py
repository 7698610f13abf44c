"""The web application's e-mail, its pure parts: who is told what (rules), the ids that
make each message once, the texts, the calendar entry parsed back, the message on the
wire, and the directory's part (addresses, names, school leaders) with a fake directory."""

import smtplib
from datetime import UTC, datetime, timedelta
from typing import Unpack
from uuid import UUID, uuid4

import pytest
from icalendar import Calendar

from contracts.catalogue import CourseUpdated
from contracts.enrollment import EnrolledVia, EnrollmentRequested
from contracts.values import OfferingDetails
from services.shared.identity.access import Role
from services.shared.identity.directory import Directory, Person
from services.web.i18n import Translator, catalogue
from services.web.mail import compose, rules, texts
from services.web.mail.calendar import entry
from services.web.mail.notices import (
    Mail,
    Notice,
    NoticeKind,
    Offering,
    Seat,
    mail_id,
    notice_id,
)
from services.web.mail.sender import message, message_id, refused_for_good, retry_in
from services.web.messages import mail as mail_texts
from tests.support.factories import (
    DetailsFields,
    enrolled,
    offering_details,
    session,
    snapshot,
)

pytestmark = pytest.mark.unit

NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
TUESDAY = datetime(2027, 1, 12, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam
SENDER = "Huisacademie <academie@voorbeeld.nl>"


def ahead(**overrides: Unpack[DetailsFields]) -> OfferingDetails:
    """An offering of one session, on a Tuesday morning ahead."""
    fields: DetailsFields = {
        "title": "Feedback geven",
        "academy_name": "Academie Oost",
        "sessions": (session(TUESDAY, timedelta(hours=3)),),
        **overrides,
    }
    return offering_details(**fields)


def known(details: OfferingDetails, withdrawn: bool = False) -> Offering:
    return Offering(details.offering_id, details.title, details.academy_name, details, withdrawn)


def parsed(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


# Who is told what


def test_a_place_from_the_waiting_list_is_told_and_a_direct_one_is_not() -> None:
    moved_up = enrolled(via=EnrolledVia.WAITLIST, enrolled_at=NOW)
    assert rules.moved_up(moved_up, NOW)
    assert not rules.moved_up(enrolled(via=EnrolledVia.DIRECT, enrolled_at=NOW), NOW)
    # A new web database reads history from the start: old places are not mailed again.
    assert not rules.moved_up(moved_up, NOW + rules.STALE + timedelta(seconds=1))


def test_the_same_event_makes_the_same_notice_and_another_recipient_another_message() -> None:
    event = enrolled(via=EnrolledVia.WAITLIST, enrolled_at=NOW)
    again = type(event).model_validate_json(event.model_dump_json())
    assert rules.promoted(event).id == rules.promoted(again).id
    assert rules.promoted(event).id != rules.promoted(enrolled(enrolled_at=NOW)).id
    notice = rules.promoted(event).id
    one, other = uuid4(), uuid4()
    assert mail_id(notice, one) == mail_id(notice, one)
    assert mail_id(notice, one) != mail_id(notice, other)


def test_a_withdrawal_seen_twice_tells_each_person_once() -> None:
    details, seat = ahead(), Seat(uuid4(), uuid4())
    from_catalogue = rules.withdrawn(details.offering_id, details, [seat], NOW)
    from_cancellation = rules.withdrawn(details.offering_id, details, [seat], NOW)
    assert [n.id for n in from_catalogue] == [n.id for n in from_cancellation]
    assert from_catalogue[0].id == notice_id(
        NoticeKind.WITHDRAWN, str(details.offering_id), seat.staff_id
    )


def test_a_withdrawal_after_the_last_session_tells_no_one() -> None:
    details, seat = ahead(), Seat(uuid4(), uuid4())
    assert rules.withdrawn(details.offering_id, details, [seat], TUESDAY + timedelta(days=1)) == []


def updated(before: OfferingDetails, changed: tuple[str, ...], **fields: object) -> CourseUpdated:
    after = before.model_copy(update={"version": before.version + 1, **fields})
    return CourseUpdated(offering=after, changed=changed)


def test_sessions_moved_tell_seats_and_waiting_list_with_what_was_dropped() -> None:
    before = offering_details(
        sessions=(session(TUESDAY), session(TUESDAY + timedelta(days=7))), version=3
    )
    kept, dropped = before.sessions
    moved = kept.model_copy(update={"starts_at": kept.starts_at + timedelta(days=1),
                                    "ends_at": kept.ends_at + timedelta(days=1)})  # fmt: skip
    event = updated(before, ("sessions",), sessions=(moved,))
    seats = [Seat(uuid4(), uuid4()), Seat(uuid4(), uuid4(), waitlisted=True)]
    notices = rules.sessions_changed(event, before, seats, NOW)
    assert [n.staff_id for n in notices] == [s.staff_id for s in seats]
    assert [n.waitlisted for n in notices] == [False, True]
    assert all(n.removed == (dropped,) for n in notices)
    # The same update again: the same notices (its version names it).
    assert [n.id for n in rules.sessions_changed(event, before, seats, NOW)] == [
        n.id for n in notices
    ]


def test_an_update_that_leaves_the_sessions_alone_tells_no_one() -> None:
    before = ahead()
    event = updated(before, ("capacity",), capacity=30)
    assert rules.sessions_changed(event, before, [Seat(uuid4(), uuid4())], NOW) == []


# The calendar entry


def test_a_place_comes_with_a_request_for_each_session_that_a_move_updates() -> None:
    details, enrollment = ahead(version=2), uuid4()
    anna = ("Anna de Vries", "anna@voorbeeld.nl")
    first = parsed(entry(details, enrollment, anna, SENDER).content)
    assert first["method"] == "REQUEST"
    (event,) = first.walk("VEVENT")
    assert event.decoded("dtstart") == TUESDAY
    assert event["summary"] == "Feedback geven"
    assert event.decoded("sequence") == 2
    assert str(event["organizer"]) == "mailto:academie@voorbeeld.nl"
    assert str(event["attendee"]) == "mailto:anna@voorbeeld.nl"
    assert event["attendee"].params["CN"] == "Anna de Vries"
    later = TUESDAY + timedelta(days=1, hours=2)
    times = {"starts_at": later, "ends_at": later + timedelta(hours=3)}
    sessions = (details.sessions[0].model_copy(update=times),)
    moved = details.model_copy(update={"version": 3, "sessions": sessions})
    update = parsed(entry(moved, enrollment, anna, SENDER).content)
    (again,) = update.walk("VEVENT")
    assert again["uid"] == event["uid"]  # the same entry, updated, not a second one
    assert again.decoded("sequence") > event.decoded("sequence")
    assert again.decoded("dtstart") == later


def test_a_withdrawal_cancels_every_session_and_a_dropped_session_is_cancelled() -> None:
    details, enrollment = ahead(version=4), uuid4()
    cancel = entry(details, enrollment, ("Anna", "a@voorbeeld.nl"), SENDER, cancel=True)
    assert cancel.method == "CANCEL"
    calendar = parsed(cancel.content)
    assert calendar["method"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert (event["status"], event.decoded("sequence")) == ("CANCELLED", 5)
    gone = session(TUESDAY + timedelta(days=30))
    update = parsed(entry(details, enrollment, ("A", "a@x.nl"), SENDER, removed=[gone]).content)
    statuses = {str(e["uid"]): str(e["status"]) for e in update.walk("VEVENT")}
    assert statuses == {
        f"{enrollment}.{details.sessions[0].session_id}@huisacademie": "CONFIRMED",
        f"{enrollment}.{gone.session_id}@huisacademie": "CANCELLED",
    }


# The texts


def test_every_mail_text_is_in_dutch_and_english() -> None:
    assert mail_texts.NL.keys() == mail_texts.EN.keys()
    assert all(key in catalogue("nl") for key in mail_texts.NL)


def promoted_notice(details: OfferingDetails) -> Notice:
    return Notice(uuid4(), NoticeKind.PROMOTED, uuid4(), details.offering_id, uuid4())


def test_a_place_says_which_offering_when_and_where_in_dutch() -> None:
    details = ahead(sessions=(session(TUESDAY, timedelta(hours=3)).model_copy(
        update={"location": "Lokaal 12"}),))  # fmt: skip
    subject, body = texts.about_a_seat(
        promoted_notice(details), known(details), "Anna de Vries", Translator("nl"),
        "https://academie.voorbeeld.nl",
    )  # fmt: skip
    assert subject == "Je hebt een plek: Feedback geven"
    assert body.startswith("Beste Anna de Vries,\n")
    assert "van de wachtlijst ingeschreven voor Feedback geven van Academie Oost" in body
    assert "- di 12 januari 2027, 09:00 - 12:00, Lokaal 12" in body
    assert "https://academie.voorbeeld.nl/inschrijvingen" in body
    assert "⟦" not in body


def test_a_request_asks_the_leader_with_a_link_to_the_approvals() -> None:
    details = ahead()
    subject, body = texts.approval_asked(
        known(details), "Leo Leider", "Anna de Vries", Translator("nl"), "https://w.nl/"[:-1]
    )
    assert subject == "Goedkeuring gevraagd: Anna de Vries voor Feedback geven"
    assert body.startswith("Beste Leo Leider,")
    assert "Keur het verzoek goed of wijs het af op: https://w.nl/goedkeuringen" in body


def test_english_is_there_too_and_a_waiting_list_place_gets_no_calendar_words() -> None:
    details = ahead()
    notice = Notice(uuid4(), NoticeKind.SESSIONS_CHANGED, uuid4(), details.offering_id,
                    uuid4(), waitlisted=True)  # fmt: skip
    subject, body = texts.about_a_seat(notice, known(details), "Ann", Translator("en"), "u")
    assert subject == "Changed: Feedback geven"
    assert "Tue 12 January 2027, 09:00 - 12:00" in body
    assert "You are on the waiting list" in body
    assert "attached" not in body


# The message on the wire


def test_a_message_carries_its_text_its_calendar_and_a_message_id_of_its_own() -> None:
    details = ahead()
    calendar = entry(details, uuid4(), ("Anna", "anna@voorbeeld.nl"), SENDER)
    mail = Mail(uuid4(), uuid4(), "anna@voorbeeld.nl", "Je hebt een plek: Fé", "Beste Anna,\n",
                calendar)  # fmt: skip
    sent, again = message(mail, SENDER), message(mail, SENDER)
    assert sent["Message-ID"] == again["Message-ID"] == f"<{mail.id}@voorbeeld.nl>"
    assert sent["To"] == "anna@voorbeeld.nl"
    assert sent["Subject"] == "Je hebt een plek: Fé"
    (part,) = sent.iter_attachments()
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_payload(decode=True) == calendar.content
    assert message_id(mail.id, "no address") == f"<{mail.id}@huisacademie>"


def test_a_failed_attempt_waits_longer_each_time_up_to_six_hours() -> None:
    assert [retry_in(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_in(500) == timedelta(hours=6)


def test_only_a_refusal_of_the_message_itself_is_given_up() -> None:
    refused = smtplib.SMTPRecipientsRefused({"a@x.nl": (550, b"no such mailbox")})
    busy = smtplib.SMTPRecipientsRefused({"a@x.nl": (451, b"try again later")})
    assert refused_for_good(refused)
    assert not refused_for_good(busy)
    assert refused_for_good(smtplib.SMTPDataError(554, b"rejected"))
    assert not refused_for_good(smtplib.SMTPServerDisconnected("gone"))
    assert not refused_for_good(ConnectionRefusedError())
    assert refused_for_good(ValueError("cannot be written"))


def test_a_line_break_in_a_title_does_not_break_the_subject() -> None:
    mail = Mail(uuid4(), uuid4(), "a@voorbeeld.nl", "Gewijzigd: Lezen\nin groep 3", "Tekst\n")
    assert message(mail, SENDER)["Subject"] == "Gewijzigd: Lezen in groep 3"


# The directory's part


class Known(Directory):
    """A directory of the people given, without a database."""

    def __init__(self, *people: Person) -> None:
        self.known = {p.staff_id: p for p in people}

    async def person(self, staff_id: UUID) -> Person | None:
        return self.known.get(staff_id)

    async def leaders_of(self, school_id: UUID) -> list[Person]:
        return [p for p in self.known.values() if school_id in p.schools and Role.LEADER in p.roles]


def person(name: str, *schools: UUID, email: str | None = None, leader: bool = False) -> Person:
    roles = frozenset({Role.STAFF, Role.LEADER} if leader else {Role.STAFF})
    return Person(uuid4(), uuid4(), name, frozenset(schools), roles=roles, email=email)


LETTERHEAD = compose.Letterhead(SENDER, "https://w.nl")


async def test_a_request_goes_to_each_leader_of_the_requesters_schools_once() -> None:
    one, two = uuid4(), uuid4()
    anna = person("Anna", one, two, email="anna@x.nl", leader=True)
    leo = person("Leo", one, two, email="leo@x.nl", leader=True)
    lia = person("Lia", two, email="lia@x.nl", leader=True)
    silent = person("Stil", one, leader=True)  # no address: no message
    details = ahead()
    notice = rules.approval_asked(EnrollmentRequested(
        enrollment_id=uuid4(), staff_id=anna.staff_id, requested_at=NOW,
        offering=snapshot(offering_id=details.offering_id),
    ))  # fmt: skip
    mails = await compose._mails(notice, known(details), Known(anna, leo, lia, silent), LETTERHEAD)
    assert sorted(m.recipient for m in mails) == ["leo@x.nl", "lia@x.nl"]  # never Anna herself
    assert {m.about for m in mails} == {anna.staff_id}
    assert all(m.calendar is None and "Anna" in m.subject for m in mails)
    assert len({m.id for m in mails}) == 2


async def test_no_address_or_no_longer_in_the_directory_means_no_message() -> None:
    details = ahead()
    notice = promoted_notice(details)
    assert await compose._mails(notice, known(details), Known(), LETTERHEAD) == []
    nobody = person("Zonder")
    notice = Notice(uuid4(), NoticeKind.PROMOTED, nobody.staff_id, details.offering_id, uuid4())
    assert await compose._mails(notice, known(details), Known(nobody), LETTERHEAD) == []


async def test_a_place_goes_with_its_calendar_and_waits_for_the_offerings_sessions() -> None:
    details, anna = ahead(), person("Anna", email="anna@x.nl")
    notice = Notice(uuid4(), NoticeKind.PROMOTED, anna.staff_id, details.offering_id, uuid4(),
                    created_at=NOW)  # fmt: skip
    (mail,) = await compose._mails(notice, known(details), Known(anna), LETTERHEAD)
    assert mail.id == mail_id(notice.id, anna.staff_id)
    assert mail.calendar is not None and mail.calendar.method == "REQUEST"
    titled_only = Offering(details.offering_id, details.title, details.academy_name)
    assert compose._waits(notice, titled_only, NOW + timedelta(minutes=1))
    assert not compose._waits(notice, titled_only, NOW + compose.OFFERING_WAIT)
    assert not compose._waits(notice, known(details), NOW)


def test_a_recipient_is_one_address_and_never_more() -> None:
    from services.web.mail.sender import only_address

    assert only_address("anna@voorbeeld.nl") == "anna@voorbeeld.nl"
    assert only_address("Anna de Vries <anna@voorbeeld.nl>") == "anna@voorbeeld.nl"
    for bad in ("anna@voorbeeld.nl, eve@elders.nl", "geen adres", ""):
        with pytest.raises(ValueError):
            only_address(bad)
