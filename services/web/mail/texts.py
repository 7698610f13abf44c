"""What each notice says, in the reader's language (Dutch unless told otherwise): subject
and plain text. Names come from the directory; no text anyone wrote goes into mail (a
reason, a note may hold anything, and the web cannot open it). No I/O."""

from collections.abc import Iterable

from contracts.values import Session
from services.web.i18n import TIMEZONE, Translator
from services.web.mail.notices import Notice, NoticeKind, Offering


def when(session: Session, t: Translator) -> str:
    """di 12 januari 2027, 09:00 - 12:00 (Dutch time); the end in full on another day."""
    start, end = session.starts_at, session.ends_at
    same_day = start.astimezone(TIMEZONE).date() == end.astimezone(TIMEZONE).date()
    return f"{t.moment(start)} - {t.time(end) if same_day else t.moment(end)}"


def session_lines(sessions: Iterable[Session], t: Translator) -> list[str]:
    return [
        t("mail.session_at", when=when(s, t), location=s.location)
        if s.location
        else t("mail.session", when=when(s, t))
        for s in sorted(sessions, key=lambda s: s.starts_at)
    ]


def _sessions(offering: Offering, t: Translator) -> list[str]:
    sessions = offering.details.sessions if offering.details else ()
    if not sessions:
        return [t("mail.no_sessions")]
    return [t("mail.sessions"), *session_lines(sessions, t)]


def _promoted(notice: Notice, offering: Offering, t: Translator, url: str) -> list[str]:
    about = {"title": offering.title, "academy": offering.academy_name}
    return [
        t("mail.promoted.body", **about),
        "\n".join(_sessions(offering, t)),
        *([t("mail.promoted.calendar")] if offering.details else []),
        t("mail.promoted.link", url=f"{url}/inschrijvingen"),
    ]


def _changed(notice: Notice, offering: Offering, t: Translator, url: str) -> list[str]:
    about = {"title": offering.title, "academy": offering.academy_name}
    removed = [t("mail.changed.removed"), *session_lines(notice.removed, t)]
    return [
        t("mail.changed.body", **about),
        "\n".join(_sessions(offering, t)),
        *(["\n".join(removed)] if notice.removed else []),
        t("mail.changed.waitlisted" if notice.waitlisted else "mail.changed.calendar"),
        t("mail.changed.link", url=f"{url}/aanbod/{offering.offering_id}"),
    ]


def _withdrawn(notice: Notice, offering: Offering, t: Translator, url: str) -> list[str]:
    about = {"title": offering.title, "academy": offering.academy_name}
    look = t("mail.withdrawn.link", url=f"{url}/aanbod")
    if notice.waitlisted:
        return [t("mail.withdrawn.waitlisted", **about), look]
    calendar = [t("mail.withdrawn.calendar")] if offering.details else []
    return [t("mail.withdrawn.body", **about), *calendar, look]


def about_a_seat(
    notice: Notice, offering: Offering, name: str, t: Translator, url: str
) -> tuple[str, str]:
    """The subject and text of a message to the staff member the notice is about."""
    paragraphs = {
        NoticeKind.PROMOTED: _promoted,
        NoticeKind.SESSIONS_CHANGED: _changed,
        NoticeKind.WITHDRAWN: _withdrawn,
    }[notice.kind](notice, offering, t, url)
    subject = t(f"mail.{_SUBJECTS[notice.kind]}.subject", title=offering.title)
    return subject, _letter(t("mail.greeting", name=name), paragraphs, offering.academy_name, t)


def approval_asked(
    offering: Offering, leader: str, asking: str, t: Translator, url: str
) -> tuple[str, str]:
    """The subject and text of a message asking a school leader to approve a request."""
    about = {"name": asking, "title": offering.title, "academy": offering.academy_name}
    paragraphs = [
        t("mail.approval.body", **about),
        "\n".join(_sessions(offering, t)),
        t("mail.approval.link", url=f"{url}/goedkeuringen"),
    ]
    subject = t("mail.approval.subject", name=asking, title=offering.title)
    body = _letter(t("mail.greeting", name=leader), paragraphs, t("mail.approval.sender"), t)
    return subject, body


_SUBJECTS = {
    NoticeKind.PROMOTED: "promoted",
    NoticeKind.SESSIONS_CHANGED: "changed",
    NoticeKind.WITHDRAWN: "withdrawn",
}


def _letter(greeting: str, paragraphs: list[str], signed: str, t: Translator) -> str:
    closing = f"{t('mail.closing')}\n{signed}"
    return "\n\n".join([greeting, *paragraphs, closing]) + f"\n\n-- \n{t('mail.footer')}\n"
