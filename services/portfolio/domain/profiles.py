"""Who a staff member is, as far as their yearly target goes: board, role, sector, FTE,
schools and team (from StaffProfileSet)."""

from dataclasses import dataclass
from uuid import UUID

from contracts.values import Sector, StaffRole


@dataclass(frozen=True)
class Profile:
    staff_id: UUID
    board_id: UUID
    role: StaffRole
    sector: Sector
    fte: float
    school_ids: tuple[UUID, ...] = ()
    team: str = ""
