"""Sending the outbox over SMTP: each message in a transaction of its own that holds its row
(FOR UPDATE SKIP LOCKED: another instance skips it), sent, then marked sent and committed.

A message is never lost: it stays in the outbox until the mail server has accepted it, and
a failed attempt is counted, its error kept, and tried again later (with backoff). It is
sent twice only if this process stops between the server's acceptance and the commit
(a crash, a lost database connection): then it goes again with the same Message-ID, made
from the row's id, so that a receiving system can drop the copy. Exactly once is not
something SMTP can promise; the same Message-ID is what it offers instead.

stdlib smtplib, in a thread: no dependency more for a few messages a minute."""

import asyncio
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from uuid import UUID

from services.shared.clock import now
from services.shared.logging import get_logger
from services.shared.unit_of_work import Database
from services.web.mail.notices import Mail
from services.web.mail.store import MailStore
from services.web.store import Store

log = get_logger(__name__)
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
_THIS_MESSAGE = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, ValueError)
"""Failures of one message, not of the server: the next message may go."""
ATTACHMENT = {"REQUEST": "uitnodiging.ics", "CANCEL": "afzegging.ics"}


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    sender: str
    """The From of every message (WEB_MAIL_FROM)."""
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout_s: float = 30.0


def message_id(mail_id: UUID, sender: str) -> str:
    """The same for every attempt at one message: a copy sent again after a crash is
    recognisable as the same message."""
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    return f"<{mail_id}@{domain if at and domain else 'huisacademie'}>"


def message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = _one_line(mail.recipient)
    msg["Subject"] = _one_line(mail.subject)
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = message_id(mail.id, sender)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    msg.set_content(mail.body, cte="quoted-printable")
    if mail.calendar is not None:
        msg.add_attachment(
            mail.calendar.content,
            maintype="text",
            subtype="calendar",
            filename=ATTACHMENT.get(mail.calendar.method, "agenda.ics"),
            params={"method": mail.calendar.method, "charset": "utf-8"},
        )
    return msg


def only_address(recipient: str) -> str:
    """The one address a recipient names; ValueError (given up) for anything else."""
    found = getaddresses([recipient])
    if len(found) != 1 or "@" not in found[0][1] or "," in recipient:
        raise ValueError("a recipient must be one address")
    return found[0][1]


def _one_line(header: str) -> str:
    # A title may hold a line break; a header may not.
    return " ".join(header.split())


def retry_in(attempts: int) -> timedelta:
    """After the n-th failed attempt: 1, 2, 4 ... minutes, at most six hours."""
    doubled: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16)
    return min(doubled, LAST_RETRY)


def refused_for_good(error: Exception) -> bool:
    """The server said no to this message itself (5xx on the recipient or the content):
    trying again would change nothing. Anything else (4xx, a connection, signing in) may
    pass, and is tried again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, ValueError)  # a message that cannot be written at all


class Postbox:
    """One SMTP connection, opened on the first message, used from one thread at a time."""

    def __init__(self, server: MailServer) -> None:
        self.server = server
        self._smtp: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._open()
        # Exactly the one address of the To header: a directory entry with a comma in it
        # must not add recipients.
        self._smtp.send_message(msg, to_addrs=[only_address(str(msg["To"]))])

    def _open(self) -> smtplib.SMTP:
        server = self.server
        smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout_s)
        try:
            if server.starttls:
                smtp.starttls()
            if server.username:
                smtp.login(server.username, server.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


async def send_due(database: Database[Store], server: MailServer, limit: int = 50) -> int:
    """Sends up to `limit` messages that are due; returns how many were sent."""
    postbox = Postbox(server)
    sent = 0
    try:
        for _ in range(limit):
            async with database.transaction() as unit:
                outbox = MailStore(unit.store.conn)
                due = await outbox.next_due()
                if due is None:
                    break
                mail, attempts = due
                try:
                    await asyncio.to_thread(postbox.send, message(mail, server.sender))
                except (smtplib.SMTPException, OSError, ValueError) as e:
                    await _failed(outbox, mail, attempts + 1, e)
                    await asyncio.to_thread(postbox.close)
                    if not isinstance(e, _THIS_MESSAGE):
                        break  # the server is away or refuses us: the rest can wait too
                    continue
                await outbox.sent(mail.id)
            sent += 1
    finally:
        await asyncio.to_thread(postbox.close)
    return sent


async def _failed(outbox: MailStore, mail: Mail, attempts: int, error: Exception) -> None:
    for_good = refused_for_good(error)
    retry = None if for_good else retry_in(attempts)
    # The kind and the server's code only in the log: its text may name the address.
    code = getattr(error, "smtp_code", None)
    log.warning("mail_not_sent", mail_id=str(mail.id), error=type(error).__name__, code=code,
                attempts=attempts, given_up=for_good)  # fmt: skip
    await outbox.failed(mail.id, f"{type(error).__name__}: {error}"[:500], retry)
