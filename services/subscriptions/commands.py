"""What administrators do with subscriptions, each in one unit of work."""

import base64
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from services.shared.clock import now
from services.shared.errors import CommandRejected, Conflict, found
from services.shared.unit_of_work import Database
from services.subscriptions.config import config
from services.subscriptions.domain.addresses import Refused, checked_url
from services.subscriptions.domain.wanted import Format, UnknownTypes, types_asked
from services.subscriptions.sending import checked_address
from services.subscriptions.store import Store
from services.subscriptions.store.subscriptions import HistoryRequest, Subscription


def new_secret() -> str:
    """A signing secret as the Standard Webhooks specification writes one: whsec_ and 32
    random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def checked(url: str) -> str:
    """The URL, if deliveries may go there now: else CommandRejected saying why."""
    try:
        await checked_address(checked_url(url), config().allowed_networks)
    except Refused as e:
        raise CommandRejected(f"url: {e}") from None
    return url


def wanted(format: Format, asked: list[str]) -> frozenset[str]:
    try:
        return types_asked(format, asked)
    except UnknownTypes as e:
        raise CommandRejected(f"event_types: {e}") from None


class SubscriptionCommands:
    def __init__(self, database: Database[Store]) -> None:
        self._database = database

    async def create(
        self, subscription: Subscription, lrs: tuple[str, str] | None, history: bool
    ) -> tuple[str | None, HistoryRequest | None]:
        """A new subscription, live from now; its signing secret (a webhook's); and, if it
        asked for the history from the beginning, the request awaiting consent."""
        secret = new_secret() if subscription.format is Format.WEBHOOK else None
        asked = None
        if history:  # the history goes first: nothing live before the consent
            subscription = replace(subscription, status="awaiting_consent")
        async with self._database.transaction() as unit:
            # Live from the next event fanned out: none committed before is missed twice or
            # queued without it.
            await unit.store.lock_history()
            await unit.store.add(subscription, secret, lrs)
            if history:
                asked = HistoryRequest(uuid4(), subscription.id, None, subscription.created_by,
                                       now(), None, None, None)  # fmt: skip
                await unit.store.ask_history(asked)
        return secret, asked

    async def change(
        self, subscription_id: UUID, lrs: tuple[str, str] | None, **fields: object
    ) -> Subscription:
        """The fields given changed; a learning record store's sign-in, if given."""
        async with self._database.transaction() as unit:
            current = found(
                await unit.store.get(subscription_id, lock=True), "no such subscription"
            )
            changed = replace(current, **fields)  # type: ignore[arg-type]
            await unit.store.change(
                subscription_id, url=changed.url, event_types=changed.event_types,
                schools=changed.schools, description=changed.description,
                lrs=lrs,
            )  # fmt: skip
            return found(await unit.store.get(subscription_id), "no such subscription")

    async def set_status(self, subscription_id: UUID, status: str) -> Subscription:
        async with self._database.transaction() as unit:
            current = found(
                await unit.store.get(subscription_id, lock=True), "no such subscription"
            )
            if current.status == status:
                return current  # resuming an active one does not restart its failing clock
            if current.status == "awaiting_consent":
                raise Conflict(
                    "it waits for the privacy officer's consent to its history, which goes out"
                    " first; delete it to start again without"
                )
            await unit.store.set_status(subscription_id, status)
            return found(await unit.store.get(subscription_id), "no such subscription")

    async def delete(self, subscription_id: UUID) -> None:
        async with self._database.transaction() as unit:
            await unit.store.delete(subscription_id)

    async def rotate(self, subscription_id: UUID) -> tuple[str, datetime]:
        secret = new_secret()
        overlap = timedelta(hours=config().secret_overlap_hours)
        async with self._database.transaction() as unit:
            current = found(
                await unit.store.get(subscription_id, lock=True), "no such subscription"
            )
            if current.format is not Format.WEBHOOK:
                raise Conflict("only a webhook's deliveries are signed: this one has no secret")
            return secret, await unit.store.rotate(subscription_id, secret, overlap)

    async def ask_history(self, request: HistoryRequest) -> None:
        async with self._database.transaction() as unit:
            await unit.store.ask_history(request)

    async def consent(self, subscription_id: UUID, request_id: UUID, by: str) -> HistoryRequest:
        """The privacy officer's consent, recorded; the events asked for are queued in order
        before every later one (then live, as they come)."""
        async with self._database.transaction() as unit:
            store = unit.store
            await store.lock_history()
            subscription = found(
                await store.get(subscription_id, lock=True), "no such subscription"
            )
            requests = {r.id: r for r in await store.history_requests(subscription_id)}
            request = found(requests.get(request_id), "no such request for history")
            if request.consented_at is not None:
                raise Conflict("consent to this request was given already")
            queued = await store.queue_history(subscription, request.since, history_only=True)
            await store.consent(request_id, by, queued)
            await store.reach_back(subscription_id, request.since)
            if subscription.status == "awaiting_consent":
                await store.set_status(subscription_id, "active")
            done = {r.id: r for r in await store.history_requests(subscription_id)}
            return done[request_id]

    async def replay(self, subscription_id: UUID, since: datetime) -> int:
        """The subscription's events from `since` again, in order: no further back than it
        may see (its creation, or the history consented to)."""
        async with self._database.transaction() as unit:
            await unit.store.lock_history()
            subscription = found(await unit.store.get(subscription_id), "no such subscription")
            if since < subscription.history_from:
                seen_from = subscription.history_from.isoformat()
                raise CommandRejected(
                    f"since: the subscription sees events from {seen_from} on; events before"
                    " that are history, which needs the privacy officer's consent (POST …/history)"
                )
            return await unit.store.queue_history(subscription, since, history_only=False)
