"""The catalogue's use cases: each one transaction holding the state change and its events."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from contracts.values import AuditTeamMember, Findings, OfferingDetails
from services.catalogue import audits, domain, programmes, search, store
from services.catalogue.audits import Audit
from services.catalogue.domain import Academy, Offering, OfferingView
from services.catalogue.programmes import Programme
from services.catalogue.search import OfferingQuery
from services.shared import outbox
from services.shared.db import Connection
from services.shared.errors import NotFound


class Catalogue:
    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool = pool
        self._source = source

    async def create_academy(self, name: str, board_id: UUID) -> Academy:
        academy = Academy(uuid4(), board_id, name)
        async with self._pool.acquire() as conn:
            await store.add_academy(conn, academy)
        return academy

    async def academy(self, academy_id: UUID) -> Academy:
        async with self._pool.acquire() as conn:
            return await _academy(conn, academy_id)

    async def publish_offering(self, academy_id: UUID, fields: dict[str, Any]) -> OfferingView:
        async with self._pool.acquire() as conn, conn.transaction():
            academy = await _academy(conn, academy_id)
            details = OfferingDetails(
                offering_id=uuid4(),
                academy_id=academy.academy_id,
                academy_name=academy.name,
                board_id=academy.board_id,
                **fields,
            )
            offering, event = domain.publish(details)
            await store.save_offering(conn, offering)
            await outbox.put(conn, self._source, [event])
            return OfferingView(offering)

    async def update_offering(self, offering_id: UUID, changes: dict[str, Any]) -> OfferingView:
        async with self._pool.acquire() as conn, conn.transaction():
            offering, event = domain.update(await _offering(conn, offering_id), changes)
            if event is not None:
                await store.save_offering(conn, offering)
                await outbox.put(conn, self._source, [event])
            return OfferingView(offering, await store.seats_taken(conn, offering_id))

    async def withdraw_offering(self, offering_id: UUID, reason: str) -> OfferingView:
        async with self._pool.acquire() as conn, conn.transaction():
            offering, event = domain.withdraw(await _offering(conn, offering_id), reason)
            await store.save_offering(conn, offering)
            await outbox.put(conn, self._source, [event])
            return OfferingView(offering, await store.seats_taken(conn, offering_id))

    async def offering(self, offering_id: UUID) -> OfferingView:
        async with self._pool.acquire() as conn:
            found = await search.view(conn, offering_id)
        if found is None:
            raise NotFound(f"no offering {offering_id}")
        return found

    async def search(self, query: OfferingQuery) -> list[OfferingView]:
        async with self._pool.acquire() as conn:
            return await search.find(conn, query)

    async def offer_programme(
        self, academy_id: UUID, title: str, offering_ids: tuple[UUID, ...]
    ) -> Programme:
        programme = Programme(uuid4(), academy_id, title, offering_ids)
        async with self._pool.acquire() as conn, conn.transaction():
            await _academy(conn, academy_id)
            found = await store.get_offerings(conn, list(offering_ids))
            event = programmes.offer(programme, found)
            await store.add_programme(conn, programme)
            await outbox.put(conn, self._source, [event])
        return programme

    async def programme(self, programme_id: UUID) -> Programme:
        async with self._pool.acquire() as conn:
            found = await store.get_programme(conn, programme_id)
        if found is None:
            raise NotFound(f"no programme {programme_id}")
        return found

    async def programmes(self, academy_id: UUID | None) -> list[Programme]:
        async with self._pool.acquire() as conn:
            return await store.list_programmes(conn, academy_id)

    async def schedule_audit(
        self,
        school_id: UUID,
        board_id: UUID,
        theme: str,
        audit_date: date,
        team: tuple[AuditTeamMember, ...],
    ) -> Audit:
        audit, event = audits.schedule(Audit(uuid4(), school_id, board_id, theme, audit_date, team))
        async with self._pool.acquire() as conn, conn.transaction():
            await store.save_audit(conn, audit)
            await outbox.put(conn, self._source, [event])
        return audit

    async def reschedule_audit(self, audit_id: UUID, audit_date: date, reason: str) -> Audit:
        async with self._pool.acquire() as conn, conn.transaction():
            audit, event = audits.reschedule(await _audit(conn, audit_id), audit_date, reason)
            await store.save_audit(conn, audit)
            await outbox.put(conn, self._source, [event])
            return audit

    async def complete_audit(self, audit_id: UUID, findings: Findings, hours: float) -> Audit:
        async with self._pool.acquire() as conn, conn.transaction():
            audit, event = audits.complete(await _audit(conn, audit_id), findings, hours)
            await store.save_audit(conn, audit)
            await outbox.put(conn, self._source, [event])
            return audit

    async def cancel_audit(self, audit_id: UUID, reason: str) -> Audit:
        async with self._pool.acquire() as conn, conn.transaction():
            audit, event = audits.cancel(await _audit(conn, audit_id), reason)
            await store.save_audit(conn, audit)
            await outbox.put(conn, self._source, [event])
            return audit

    async def audit(self, audit_id: UUID) -> Audit:
        async with self._pool.acquire() as conn:
            return await _audit(conn, audit_id, lock=False)

    async def audits(self, school_id: UUID | None) -> list[Audit]:
        async with self._pool.acquire() as conn:
            return await store.list_audits(conn, school_id)


async def _academy(conn: Connection, academy_id: UUID) -> Academy:
    academy = await store.get_academy(conn, academy_id)
    if academy is None:
        raise NotFound(f"no academy {academy_id}")
    return academy


async def _offering(conn: Connection, offering_id: UUID) -> Offering:
    offering = await store.get_offering(conn, offering_id, lock=True)
    if offering is None:
        raise NotFound(f"no offering {offering_id}")
    return offering


async def _audit(conn: Connection, audit_id: UUID, *, lock: bool = True) -> Audit:
    audit = await store.get_audit(conn, audit_id, lock=lock)
    if audit is None:
        raise NotFound(f"no audit {audit_id}")
    return audit
