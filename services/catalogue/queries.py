"""The catalogue's read use cases: academies, offerings (one, or a search), programmes and
audits, each read on a connection of its own."""

from uuid import UUID

from services.catalogue.domain.audits import Audit
from services.catalogue.domain.offerings import Academy, OfferingView
from services.catalogue.domain.programmes import Programme
from services.catalogue.store import Store
from services.catalogue.store.search import OfferingQuery
from services.shared.errors import found
from services.shared.identity.access import Target
from services.shared.unit_of_work import Database


class CatalogueQueries:
    def __init__(self, database: Database[Store]) -> None:
        self._database = database

    async def academy(self, academy_id: UUID) -> Academy:
        async with self._database.reading() as store:
            return found(await store.get_academy(academy_id), f"no academy {academy_id}")

    async def offering(self, offering_id: UUID) -> OfferingView:
        async with self._database.reading() as store:
            return found(await store.view(offering_id), f"no offering {offering_id}")

    async def search(self, query: OfferingQuery) -> list[OfferingView]:
        async with self._database.reading() as store:
            return await store.search(query)

    async def programme(self, programme_id: UUID) -> Programme:
        async with self._database.reading() as store:
            return found(await store.get_programme(programme_id), f"no programme {programme_id}")

    async def programmes(self, academy_id: UUID | None) -> list[Programme]:
        async with self._database.reading() as store:
            return await store.list_programmes(academy_id)

    async def audit(self, audit_id: UUID) -> Audit:
        async with self._database.reading() as store:
            return found(await store.get_audit(audit_id), f"no audit {audit_id}")

    async def audits(self, school_id: UUID | None) -> list[Audit]:
        async with self._database.reading() as store:
            return await store.list_audits(school_id)

    async def audits_with(self, staff_id: UUID) -> list[Audit]:
        async with self._database.reading() as store:
            return await store.audits_with(staff_id)

    async def offering_target(self, offering_id: UUID) -> tuple[OfferingView, Target]:
        """The offering, and what it is for access: its academy and the academy's board."""
        async with self._database.reading() as store:
            view = found(await store.view(offering_id), f"no offering {offering_id}")
            academy_id = view.offering.details.academy_id
            academy = await store.get_academy(academy_id)
        board_id = academy.board_id if academy is not None else None
        return view, Target(academy_id=academy_id, board_id=board_id)


def audit_target(audit: Audit) -> Target:
    return Target(
        board_id=audit.board_id,
        schools=frozenset({audit.school_id}),
        team=frozenset(m.staff_id for m in audit.team),
    )
