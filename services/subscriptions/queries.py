"""What administrators read: subscriptions, their deliveries, their requests for history."""

from typing import Any
from uuid import UUID

from services.shared.errors import found
from services.shared.unit_of_work import Database
from services.subscriptions.store import DeliveryStore, Store
from services.subscriptions.store.subscriptions import HistoryRequest, Subscription


class SubscriptionQueries:
    def __init__(self, database: Database[Store]) -> None:
        self._database = database

    async def get(self, subscription_id: UUID) -> Subscription:
        async with self._database.reading() as store:
            return found(await store.get(subscription_id), "no such subscription")

    async def of_board(self, board_id: UUID) -> list[Subscription]:
        async with self._database.reading() as store:
            return await store.of_board(board_id)

    async def deliveries(
        self, subscription_id: UUID, *, undelivered: bool, before: int | None, limit: int
    ) -> list[dict[str, Any]]:
        async with self._database.reading() as store:
            return await DeliveryStore(store.conn).log(
                subscription_id, undelivered=undelivered, before=before, limit=limit
            )

    async def history(self, subscription_id: UUID) -> list[HistoryRequest]:
        async with self._database.reading() as store:
            return await store.history_requests(subscription_id)

    async def about(self, staff_id: UUID) -> dict[str, Any]:
        """What the service holds about a person: the events about them it keeps, and to
        which subscriptions each went (a data export's part)."""
        async with self._database.reading() as store:
            return await DeliveryStore(store.conn).about(staff_id)
