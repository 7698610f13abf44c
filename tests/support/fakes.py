"""A fake unit of work for the catalogue's commands: its tables in dictionaries, and the
events of each unit of work kept only when the unit ends without an error (a failed one
emits nothing, as a rolled-back transaction leaves nothing in the outbox)."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

from contracts import Event
from services.catalogue.domain.audits import Audit
from services.catalogue.domain.offerings import Academy, Offering
from services.catalogue.domain.programmes import Programme


class FakeCatalogueTables:
    """What services.catalogue.commands.Tables asks, in memory."""

    def __init__(self) -> None:
        self.academies: dict[UUID, Academy] = {}
        self.offerings: dict[UUID, Offering] = {}
        self.audits: dict[UUID, Audit] = {}
        self.programmes: dict[UUID, Programme] = {}

    async def add_academy(self, academy: Academy) -> None:
        self.academies[academy.academy_id] = academy

    async def get_academy(self, academy_id: UUID) -> Academy | None:
        return self.academies.get(academy_id)

    async def save_offering(self, offering: Offering) -> None:
        self.offerings[offering.details.offering_id] = offering

    async def get_offering(self, offering_id: UUID, *, lock: bool = False) -> Offering | None:
        return self.offerings.get(offering_id)

    async def get_offerings(self, offering_ids: list[UUID]) -> dict[UUID, Offering]:
        return {i: self.offerings[i] for i in offering_ids if i in self.offerings}

    async def seats_taken(self, offering_id: UUID) -> int:
        return 0  # seats are taken by enrollment's events, which no unit test sends here

    async def save_audit(self, audit: Audit) -> None:
        self.audits[audit.audit_id] = audit

    async def get_audit(self, audit_id: UUID, *, lock: bool = False) -> Audit | None:
        return self.audits.get(audit_id)

    async def add_programme(self, programme: Programme) -> None:
        self.programmes[programme.programme_id] = programme


class FakeUnitOfWork:
    def __init__(self, store: FakeCatalogueTables) -> None:
        self.store = store
        self.events: list[Event] = []

    def emit(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


class FakeCatalogueDatabase:
    def __init__(self) -> None:
        self.tables = FakeCatalogueTables()
        self.committed: list[Event] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeUnitOfWork]:
        unit = FakeUnitOfWork(self.tables)
        yield unit
        self.committed.extend(unit.events)
