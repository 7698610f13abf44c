"""The mail job, on every instance of the web application, every WEB_MAIL_SWEEP_S: notices
made into messages, messages due sent, mail older than WEB_MAIL_KEPT_DAYS deleted."""

from datetime import timedelta

from services.shared.definition import Job
from services.shared.identity.directory import Directory
from services.shared.logging import get_logger
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Database
from services.web.config import WebConfig, config
from services.web.mail.compose import Letterhead, compose_due
from services.web.mail.sender import MailServer, send_due
from services.web.mail.store import MailStore
from services.web.store import Store

log = get_logger(__name__)


def mail_server(settings: WebConfig) -> MailServer:
    return MailServer(
        settings.smtp_host, settings.smtp_port, settings.mail_from, settings.smtp_starttls,
        settings.smtp_username, settings.smtp_password.get_secret_value(),
    )  # fmt: skip


async def deliver(database: Database[Store], directory: Directory, _: ServiceSettings) -> None:
    settings = config()
    letterhead = Letterhead(settings.mail_from, settings.public_url)
    made = await compose_due(database, directory, letterhead)
    sent = await send_due(database, mail_server(settings))
    async with database.transaction() as unit:
        deleted = await MailStore(unit.store.conn).sweep(timedelta(days=settings.mail_kept_days))
    if made or sent or deleted:
        log.info("mail_delivered", made=made, sent=sent, deleted=deleted)


MAIL = Job[Store]("mail", deliver, lambda _: config().mail_sweep_s)
