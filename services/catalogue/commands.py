"""The catalogue's write use cases: each one unit of work holding the state change and its
events."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID, uuid4

from contracts import Event
from contracts.values import AuditTeamMember, Findings, OfferingDetails
from services.catalogue.domain import audits, offerings, programmes
from services.catalogue.domain.audits import Audit
from services.catalogue.domain.offerings import Academy, Offering, OfferingView
from services.catalogue.domain.programmes import Programme
from services.shared.errors import found
from services.shared.unit_of_work import Begin, UnitOfWork


class Tables(Protocol):
    """What the commands need of the catalogue's store (services.catalogue.store.Store in
    PostgreSQL; a fake in unit tests)."""

    async def add_academy(self, academy: Academy) -> None: ...
    async def get_academy(self, academy_id: UUID) -> Academy | None: ...
    async def save_offering(self, offering: Offering) -> None: ...
    async def get_offering(self, offering_id: UUID, *, lock: bool = False) -> Offering | None: ...
    async def get_offerings(self, offering_ids: list[UUID]) -> dict[UUID, Offering]: ...
    async def seats_taken(self, offering_id: UUID) -> int: ...
    async def save_audit(self, audit: Audit) -> None: ...
    async def get_audit(self, audit_id: UUID, *, lock: bool = False) -> Audit | None: ...
    async def add_programme(self, programme: Programme) -> None: ...


Unit = UnitOfWork[Tables]


class CatalogueCommands:
    def __init__(self, begin: Begin[Tables]) -> None:
        self._begin = begin

    async def create_academy(self, name: str, board_id: UUID) -> Academy:
        academy = Academy(uuid4(), board_id, name)
        async with self._begin() as unit:
            await unit.store.add_academy(academy)
        return academy

    async def publish_offering(self, academy_id: UUID, fields: dict[str, Any]) -> OfferingView:
        async with self._begin() as unit:
            academy = await academy_of(unit, academy_id)
            details = OfferingDetails(
                offering_id=uuid4(),
                academy_id=academy.academy_id,
                academy_name=academy.name,
                board_id=academy.board_id,
                **fields,
            )
            offering, event = offerings.publish(details)
            await unit.store.save_offering(offering)
            unit.emit([event])
            return OfferingView(offering)

    async def update_offering(self, offering_id: UUID, changes: dict[str, Any]) -> OfferingView:
        async with self._begin() as unit:
            offering, event = offerings.update(await _offering(unit, offering_id), changes)
            if event is not None:
                await unit.store.save_offering(offering)
                unit.emit([event])
            return OfferingView(offering, await unit.store.seats_taken(offering_id))

    async def withdraw_offering(self, offering_id: UUID, reason: str) -> OfferingView:
        async with self._begin() as unit:
            offering, event = offerings.withdraw(await _offering(unit, offering_id), reason)
            await unit.store.save_offering(offering)
            unit.emit([event])
            return OfferingView(offering, await unit.store.seats_taken(offering_id))

    async def offer_programme(
        self, academy_id: UUID, title: str, offering_ids: tuple[UUID, ...]
    ) -> Programme:
        programme = Programme(uuid4(), academy_id, title, offering_ids)
        async with self._begin() as unit:
            await academy_of(unit, academy_id)
            found = await unit.store.get_offerings(list(offering_ids))
            event = programmes.offer(programme, found)
            await unit.store.add_programme(programme)
            unit.emit([event])
        return programme

    async def schedule_audit(
        self,
        school_id: UUID,
        board_id: UUID,
        theme: str,
        audit_date: date,
        team: Sequence[AuditTeamMember],
    ) -> Audit:
        new = Audit(uuid4(), school_id, board_id, theme, audit_date, tuple(team))
        audit, event = audits.schedule(new)
        async with self._begin() as unit:
            await unit.store.save_audit(audit)
            unit.emit([event])
        return audit

    async def reschedule_audit(self, audit_id: UUID, audit_date: date, reason: str) -> Audit:
        return await self._change(audit_id, lambda a: audits.reschedule(a, audit_date, reason))

    async def complete_audit(self, audit_id: UUID, findings: Findings, hours: float) -> Audit:
        return await self._change(audit_id, lambda a: audits.complete(a, findings, hours))

    async def cancel_audit(self, audit_id: UUID, reason: str) -> Audit:
        return await self._change(audit_id, lambda a: audits.cancel(a, reason))

    async def _change(self, audit_id: UUID, rule: Callable[[Audit], tuple[Audit, Event]]) -> Audit:
        """A scheduled audit changed by a rule, under its row lock, with the rule's event."""
        async with self._begin() as unit:
            audit, event = rule(await audit_of(unit, audit_id))
            await unit.store.save_audit(audit)
            unit.emit([event])
            return audit


async def academy_of(unit: Unit, academy_id: UUID) -> Academy:
    return found(await unit.store.get_academy(academy_id), f"no academy {academy_id}")


async def _offering(unit: Unit, offering_id: UUID) -> Offering:
    offering = await unit.store.get_offering(offering_id, lock=True)
    return found(offering, f"no offering {offering_id}")


async def audit_of(unit: Unit, audit_id: UUID) -> Audit:
    return found(await unit.store.get_audit(audit_id, lock=True), f"no audit {audit_id}")
