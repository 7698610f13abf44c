"""The local stack's mail catcher: a real SMTP server (Python's aiosmtpd) that accepts
every message and keeps it in a Maildir under the stack's root (.local/mail/, the tests'
in .local/test/mail/), where a person or a test reads what the web application sent."""

from __future__ import annotations

import sys
from pathlib import Path

from huisacademie.stack.layout import StackError, StackLayout
from huisacademie.stack.processes import (
    port_open,
    process_status,
    start_process,
    stop_process,
    wait_for_port,
)

MAIL_PROCESS = "mail"
START_TIMEOUT = 30.0


def maildir(layout: StackLayout) -> Path:
    """Where the caught mail is: one file a message, in new/ (Maildir)."""
    return layout.root / "mail"


def start_mail_catcher(layout: StackLayout) -> None:
    """Start the catcher on the layout's SMTP port, unless it runs already."""
    if process_status(MAIL_PROCESS, layout) is None:
        if port_open("127.0.0.1", layout.smtp_port):
            raise StackError(
                f"port {layout.smtp_port} is taken by a process this stack did not start"
            )
        layout.root.mkdir(parents=True, exist_ok=True)
        argv = [
            sys.executable, "-m", "aiosmtpd", "--nosetuid",
            "--listen", f"127.0.0.1:{layout.smtp_port}",
            "--class", "aiosmtpd.handlers.Mailbox", str(maildir(layout)),
        ]  # fmt: skip
        start_process(MAIL_PROCESS, argv, layout)
    try:
        wait_for_port("127.0.0.1", layout.smtp_port, START_TIMEOUT)
    except StackError as exc:
        log = layout.logs_dir / f"{MAIL_PROCESS}.log"
        raise StackError(f"the mail catcher did not start: {exc}; see {log}") from exc


def stop_mail_catcher(layout: StackLayout) -> None:
    """Stop it by its pid; harmless if it does not run. The caught mail stays."""
    stop_process(MAIL_PROCESS, layout)
