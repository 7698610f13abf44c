"""What arrived at the stack's mail catcher (huisacademie/stack/mail.py): the Maildir it
writes, read as the messages to one address, each with its subject, text and calendar."""

import mailbox
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from huisacademie.demo import wait_for


@dataclass(frozen=True)
class Arrived:
    """One message as the catcher kept it."""

    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None, "a message without a text part"
        return str(body.get_content())

    @property
    def calendar(self) -> bytes | None:
        """The calendar attachment (text/calendar), if the message has one."""
        for part in self.message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload
        return None

    @property
    def calendar_method(self) -> str | None:
        for part in self.message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                return part.get_param("method")  # type: ignore[return-value]
        return None


@dataclass(frozen=True)
class Mailbox:
    maildir: Path

    def to(self, address: str) -> list[Arrived]:
        """Every message delivered to `address` (the SMTP envelope's recipient)."""
        if not self.maildir.exists():
            return []
        found = []
        for raw in mailbox.Maildir(self.maildir, create=False):
            message = message_from_bytes(raw.as_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            recipients = str(message.get("X-RcptTo", "")).lower()
            if address.lower() in (r.strip() for r in recipients.split(",")):
                found.append(Arrived(message))
        return found

    def wait_for(self, address: str, count: int = 1, timeout: float = 60.0) -> list[Arrived]:
        """Waits until `count` messages to `address` have arrived; returns them all."""

        def enough() -> list[Arrived] | None:
            arrived = self.to(address)
            return arrived if len(arrived) >= count else None

        found: list[Arrived] = wait_for(f"{count} message(s) to {address}", enough, timeout)
        return found
