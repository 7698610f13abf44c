"""Notices made into messages, with the directory: each recipient's address and name, a
requester's school leaders. In one transaction per batch: the notices are row-locked (FOR
UPDATE SKIP LOCKED: two instances never make one twice), their messages put in the outbox
under ids made of the notice and the recipient, and the notices deleted; a crash before
the commit leaves the notices to be made again, into the same ids. Someone without an
e-mail address in the directory (or no longer in it) gets no message."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.shared.clock import now
from services.shared.identity.directory import Directory, Person
from services.shared.unit_of_work import Database
from services.web.i18n import DEFAULT, Translator
from services.web.mail import calendar, texts
from services.web.mail.notices import CalendarEntry, Mail, Notice, NoticeKind, Offering, mail_id
from services.web.mail.store import MailStore
from services.web.store import Store

OFFERING_WAIT = timedelta(minutes=10)
"""How long a place waits for the catalogue's event of its offering (its sessions make the
calendar entry) before it is sent without one: the web reads the two topics apart."""


@dataclass(frozen=True)
class Letterhead:
    sender: str
    """WEB_MAIL_FROM: also the calendar entry's organiser."""
    public_url: str
    """WEB_PUBLIC_URL: the links in the messages."""
    language: str = DEFAULT


async def compose_due(
    database: Database[Store], directory: Directory, letterhead: Letterhead, limit: int = 100
) -> int:
    """Makes up to `limit` notices into messages; returns how many messages were made."""
    made = 0
    async with database.transaction() as unit:
        store = MailStore(unit.store.conn)
        for notice in await store.pending_notices(limit):
            offering = await store.offering(notice.offering_id)
            if offering is not None and _waits(notice, offering, now()):
                continue
            mails = []  # (no offering, nothing to say: never, every event named its own)
            if offering is not None:
                mails = await _mails(notice, offering, directory, letterhead)
            await store.put_mail(mails)
            await store.drop_notice(notice.id)
            made += len(mails)
    return made


def _waits(notice: Notice, offering: Offering, at: datetime) -> bool:
    young = notice.created_at is None or at - notice.created_at < OFFERING_WAIT
    return offering.details is None and notice.kind is NoticeKind.PROMOTED and young


async def _mails(
    notice: Notice, offering: Offering, directory: Directory, letterhead: Letterhead
) -> list[Mail]:
    t = Translator(letterhead.language)
    url = letterhead.public_url.rstrip("/")
    person = await directory.person(notice.staff_id)
    if person is None:
        return []
    if notice.kind is NoticeKind.APPROVAL_ASKED:
        return [
            Mail(
                mail_id(notice.id, leader.staff_id),
                leader.staff_id,
                leader.email,
                *texts.approval_asked(offering, leader.name, person.name, t, url),
                about=person.staff_id,
            )
            for leader in await _leaders(person, directory)
            if leader.email
        ]
    if not person.email:
        return []
    subject, body = texts.about_a_seat(notice, offering, person.name, t, url)
    entry = _calendar(notice, offering, person, letterhead.sender)
    mail = Mail(
        mail_id(notice.id, person.staff_id), person.staff_id, person.email, subject, body, entry
    )
    return [mail]


async def _leaders(person: Person, directory: Directory) -> list[Person]:
    """The leaders of the schools the person works at; never the person themself."""
    leaders = {
        leader.staff_id: leader
        for school in sorted(person.schools)
        for leader in await directory.leaders_of(school)
    }
    leaders.pop(person.staff_id, None)
    return list(leaders.values())


def _calendar(
    notice: Notice, offering: Offering, person: Person, sender: str
) -> CalendarEntry | None:
    """A seat's sessions (none for a place on the waiting list: it has no appointments)."""
    if offering.details is None or notice.enrollment_id is None or notice.waitlisted:
        return None
    return calendar.entry(
        offering.details,
        notice.enrollment_id,
        (person.name, person.email or ""),
        sender,
        cancel=notice.kind is NoticeKind.WITHDRAWN,
        removed=notice.removed,
    )
