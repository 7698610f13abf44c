"""A staff member's portfolio as it changes: server-sent events, one each time a commit
changes their entries or profile (PostgreSQL NOTIFY on the channel portfolio_changed,
from migrations/004_changes.sql). Every instance listens to the one database, so a change
made through any instance reaches a page opened through any other."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.shared.http import runtime_of
from services.shared.identity.http import Who
from services.shared.logging import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["portfolio"])
CHANNEL = "portfolio_changed"
HEARTBEAT_S = 15.0
"""A comment line this often keeps proxies from closing a quiet stream."""
STREAM_S = 300.0
"""A stream ends after this (the browser reconnects at once): its token is checked again."""


class Changes:
    """Who waits for which staff member's portfolio to change, on one listening connection
    per instance, opened while anyone waits."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._waiting: dict[UUID, set[asyncio.Queue[None]]] = {}
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self.generation = 0
        """How many times listening began: a stream that began under an earlier one may
        have missed changes while no one listened."""

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        with contextlib.suppress(ValueError):
            for queue in self._waiting.get(UUID(str(payload)), ()):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)

    def _lost(self, _conn: object) -> None:
        self._conn = None

    async def _listening(self) -> None:
        """Listens, again if the connection was lost."""
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            self._conn = await asyncpg.connect(self.url)
            self._conn.add_termination_listener(self._lost)
            await self._conn.add_listener(CHANNEL, self._heard)
            self.generation += 1

    async def _quiet(self) -> None:
        async with self._lock:
            if not any(self._waiting.values()) and self._conn is not None:
                conn, self._conn = self._conn, None
                with contextlib.suppress(Exception):
                    await conn.close()

    @contextlib.asynccontextmanager
    async def watch(self, staff_id: UUID) -> AsyncIterator[asyncio.Queue[None]]:
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._waiting.setdefault(staff_id, set()).add(queue)
        try:
            await self._listening()
            yield queue
        finally:
            self._waiting[staff_id].discard(queue)
            if not self._waiting[staff_id]:
                del self._waiting[staff_id]
            await self._quiet()

    async def stream(self, staff_id: UUID, request: Request) -> AsyncIterator[str]:
        """`changed` at once (what changed between the page and this stream, or while a
        browser reconnected, is not missed), then each time the portfolio changes; a
        comment line while nothing does."""
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_S
        async with self.watch(staff_id) as changed:
            heard_since = self.generation
            yield "retry: 2000\n\nevent: changed\ndata: {}\n\n"
            while loop.time() < ends and not await request.is_disconnected():
                try:
                    await asyncio.wait_for(changed.get(), timeout=HEARTBEAT_S)
                except TimeoutError:
                    try:
                        await self._listening()
                    except (OSError, asyncpg.PostgresError) as e:
                        log.warning("portfolio_changes_unheard", error=repr(e))
                        return
                    if self.generation != heard_since:  # no one listened for a while
                        heard_since = self.generation
                        yield "event: changed\ndata: {}\n\n"
                    else:
                        yield ": still here\n\n"
                    continue
                yield "event: changed\ndata: {}\n\n"


def changes_of(request: Request) -> Changes:
    found: Changes | None = getattr(request.app.state, "portfolio_changes", None)
    if found is None:
        url = runtime_of(request).settings.database_url
        found = request.app.state.portfolio_changes = Changes(url)
    return found


@router.get(
    "/staff/{staff_id}/portfolio/changes",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def portfolio_changes(staff_id: UUID, request: Request, who: Who) -> StreamingResponse:
    """Server-sent events: `changed` each time the staff member's portfolio changes (an
    entry added or moved on, a completion credited, the profile set), so an open page
    can show it at once; a comment line every 15 s while nothing does. The stream ends
    after five minutes: reconnect (EventSource does by itself)."""
    await who.allow_staff(staff_id)
    stream = changes_of(request).stream(staff_id, request)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
