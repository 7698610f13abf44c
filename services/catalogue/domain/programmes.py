"""The catalogue's rules for programmes (ordered paths of offerings), without I/O."""

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from contracts.catalogue import ProgrammeOffered
from services.catalogue.domain.offerings import Offering, OfferingStatus
from services.shared.errors import CommandRejected, NotFound

MAX_OFFERINGS = 50


@dataclass(frozen=True)
class Programme:
    programme_id: UUID
    academy_id: UUID
    title: str
    offering_ids: tuple[UUID, ...]


def offer(programme: Programme, found: Mapping[UUID, Offering]) -> ProgrammeOffered:
    """Check a new programme against the offerings found in the catalogue; every offering
    must exist, be published (not withdrawn) and belong to the programme's academy."""
    ids = programme.offering_ids
    if not 1 <= len(ids) <= MAX_OFFERINGS:
        raise CommandRejected(
            f"offering_ids: between 1 and {MAX_OFFERINGS} offerings, got {len(ids)}"
        )
    if len(set(ids)) != len(ids):
        twice = sorted({str(i) for i in ids if ids.count(i) > 1})
        raise CommandRejected(f"offering_ids: listed more than once: {', '.join(twice)}")
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFound(f"offering_ids: no offering {', '.join(missing)}")
    foreign = [str(i) for i in ids if found[i].details.academy_id != programme.academy_id]
    if foreign:
        raise CommandRejected(
            f"offering_ids: not published by academy {programme.academy_id}: {', '.join(foreign)}"
        )
    withdrawn = [str(i) for i in ids if found[i].status is OfferingStatus.WITHDRAWN]
    if withdrawn:
        raise CommandRejected(f"offering_ids: withdrawn: {', '.join(withdrawn)}")
    return ProgrammeOffered(
        programme_id=programme.programme_id,
        academy_id=programme.academy_id,
        title=programme.title,
        offering_ids=ids,
    )
