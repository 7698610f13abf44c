"""The subscriptions service's HTTP API: a board's administrators and integration clients
keep its subscriptions; its privacy officer consents to history."""

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Response

from services.shared.clock import now
from services.shared.http import use_cases
from services.shared.identity.access import Principal, Target
from services.shared.identity.http import Caller, Who
from services.shared.privacy.export import ExportPart
from services.subscriptions.api.schemas import (
    Created,
    DeliveryOut,
    HistoryIn,
    HistoryRequestOut,
    Queued,
    ReplayIn,
    Rotated,
    SubscriptionChange,
    SubscriptionIn,
    SubscriptionOut,
)
from services.subscriptions.commands import SubscriptionCommands, checked, wanted
from services.subscriptions.queries import SubscriptionQueries
from services.subscriptions.store.subscriptions import HistoryRequest, Subscription

router = APIRouter(tags=["subscriptions"])
Commands = Annotated[SubscriptionCommands, Depends(use_cases(SubscriptionCommands))]
Queries = Annotated[SubscriptionQueries, Depends(use_cases(SubscriptionQueries))]


def _who(principal: Principal) -> str:
    """Who acted, as the log records them: a person's id, or a client's."""
    return str(principal.staff_id) if principal.staff_id else f"client {principal.subject}"


def _out(s: Subscription) -> dict[str, Any]:
    return {**vars(s), "schools": sorted(s.schools, key=str), "event_types": sorted(s.event_types)}


def _request(r: HistoryRequest) -> HistoryRequestOut:
    return HistoryRequestOut.model_validate(vars(r))


async def _reached(subscription_id: UUID, q: SubscriptionQueries, who: Caller) -> Subscription:
    subscription = await q.get(subscription_id)
    who.allow(Target(board_id=subscription.board_id))
    return subscription


@router.get("/boards/{board_id}/subscriptions")
async def subscriptions(board_id: UUID, q: Queries, who: Who) -> list[SubscriptionOut]:
    """The board's subscriptions, oldest first (their secrets are never shown again)."""
    who.allow(Target(board_id=board_id))
    return [SubscriptionOut.model_validate(_out(s)) for s in await q.of_board(board_id)]


@router.post("/boards/{board_id}/subscriptions", status_code=201)
async def subscribe(board_id: UUID, body: SubscriptionIn, cmd: Commands, who: Who) -> Created:
    """A new subscription, live from now: its signing secret is in the answer, this once."""
    who.allow(Target(board_id=board_id))
    await who.refuse_other_boards(board_id, body.schools)
    made = now()
    subscription = Subscription(
        uuid4(), board_id, frozenset(body.schools), await checked(body.url), body.format,
        wanted(body.format, body.event_types), body.description, "active", None, made,
        _who(who.principal), made, made,
    )  # fmt: skip
    lrs = body.lrs.pair() if body.lrs else None
    secret, asked = await cmd.create(subscription, lrs, body.history)
    return Created.model_validate(
        {**_out(subscription), "status": "awaiting_consent" if asked else "active",
         "secret": secret, "history_request": _request(asked) if asked else None}
    )  # fmt: skip


@router.get("/subscriptions/{subscription_id}")
async def subscription(subscription_id: UUID, q: Queries, who: Who) -> SubscriptionOut:
    return SubscriptionOut.model_validate(_out(await _reached(subscription_id, q, who)))


@router.patch("/subscriptions/{subscription_id}")
async def change(
    subscription_id: UUID, body: SubscriptionChange, q: Queries, cmd: Commands, who: Who
) -> SubscriptionOut:
    """Change where deliveries go, what they carry, or a learning record store's sign-in."""
    current = await _reached(subscription_id, q, who)
    fields: dict[str, object] = {}
    if body.url is not None:
        fields["url"] = await checked(body.url)
    if body.event_types is not None:
        fields["event_types"] = wanted(current.format, body.event_types)
    if body.schools is not None:
        await who.refuse_other_boards(current.board_id, body.schools)
        fields["schools"] = frozenset(body.schools)
    if body.description is not None:
        fields["description"] = body.description
    changed = await cmd.change(subscription_id, lrs=body.lrs.pair() if body.lrs else None, **fields)
    return SubscriptionOut.model_validate(_out(changed))


@router.delete("/subscriptions/{subscription_id}", status_code=204)
async def unsubscribe(subscription_id: UUID, q: Queries, cmd: Commands, who: Who) -> Response:
    """The subscription ends: what waited for it is dropped, and its delivery log."""
    await _reached(subscription_id, q, who)
    await cmd.delete(subscription_id)
    return Response(status_code=204)


@router.post("/subscriptions/{subscription_id}/pause")
async def pause(subscription_id: UUID, q: Queries, cmd: Commands, who: Who) -> SubscriptionOut:
    """Deliveries stop; events go on queueing for it, and are delivered on resuming."""
    await _reached(subscription_id, q, who)
    return SubscriptionOut.model_validate(_out(await cmd.set_status(subscription_id, "paused")))


@router.post("/subscriptions/{subscription_id}/resume")
async def resume(subscription_id: UUID, q: Queries, cmd: Commands, who: Who) -> SubscriptionOut:
    """Deliveries start again (after a pause, or when it was failing), at once."""
    await _reached(subscription_id, q, who)
    return SubscriptionOut.model_validate(_out(await cmd.set_status(subscription_id, "active")))


@router.post("/subscriptions/{subscription_id}/secret")
async def rotate(subscription_id: UUID, q: Queries, cmd: Commands, who: Who) -> Rotated:
    """A new signing secret; the previous one goes on signing too for a while (both
    signatures are sent), so the receiver can change over without losing a delivery."""
    await _reached(subscription_id, q, who)
    secret, until = await cmd.rotate(subscription_id)
    return Rotated(secret=secret, previous_valid_until=until)


@router.get("/subscriptions/{subscription_id}/deliveries")
async def deliveries(
    subscription_id: UUID,
    q: Queries,
    who: Who,
    undelivered: bool = False,
    before: Annotated[int | None, Query(ge=1, description="Older than this delivery id.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DeliveryOut]:
    """The delivery log, newest first: each event, its attempts with status and duration,
    and why it is waiting."""
    await _reached(subscription_id, q, who)
    rows = await q.deliveries(subscription_id, undelivered=undelivered, before=before, limit=limit)
    return [DeliveryOut.of(r) for r in rows]


@router.post("/subscriptions/{subscription_id}/replay", status_code=202)
async def replay(
    subscription_id: UUID, body: ReplayIn, q: Queries, cmd: Commands, who: Who
) -> Queued:
    """Every event of the subscription from a point in time, again, in order (with the same
    webhook-id as before: a receiver that deduplicates must forget them first)."""
    await _reached(subscription_id, q, who)
    return Queued(queued=await cmd.replay(subscription_id, body.since))


@router.get("/subscriptions/{subscription_id}/history")
async def history(subscription_id: UUID, q: Queries, who: Who) -> list[HistoryRequestOut]:
    """The requests for events from before the subscription, with the consent given."""
    await _reached(subscription_id, q, who)
    return [_request(r) for r in await q.history(subscription_id)]


@router.post("/subscriptions/{subscription_id}/history", status_code=202)
async def ask_history(
    subscription_id: UUID, body: HistoryIn, q: Queries, cmd: Commands, who: Who
) -> HistoryRequestOut:
    """Ask for the events from before the subscription (from `since`, or all kept): they
    are queued once the board's privacy officer consents."""
    await _reached(subscription_id, q, who)
    asked = HistoryRequest(uuid4(), subscription_id, body.since, _who(who.principal), now(),
                           None, None, None)  # fmt: skip
    await cmd.ask_history(asked)
    return _request(asked)


@router.post("/subscriptions/{subscription_id}/history/{request_id}/consent")
async def consent(
    subscription_id: UUID, request_id: UUID, q: Queries, cmd: Commands, who: Who
) -> HistoryRequestOut:
    """The privacy officer's consent, recorded with who gave it and when: the history is
    queued, in order, ahead of what comes live."""
    await _reached(subscription_id, q, who)
    return _request(await cmd.consent(subscription_id, request_id, _who(who.principal)))


@router.get("/staff/{staff_id}/export")
async def export_part(staff_id: UUID, q: Queries, who: Who) -> ExportPart:
    """What the service keeps about the person: the events about them (what they wrote
    still sealed) and to which subscriptions each was delivered."""
    await who.allow_staff(staff_id)
    return ExportPart.now("subscriptions", staff_id, await q.about(staff_id))
