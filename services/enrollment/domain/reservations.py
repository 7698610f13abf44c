"""Seats a school leader reserves for a team, to fill with names later or give back."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Reservation:
    reservation_id: UUID
    offering_id: UUID
    leader_id: UUID
    board_id: UUID
    seats: int
    filled: int
    released: bool

    @property
    def open(self) -> int:
        return 0 if self.released else self.seats - self.filled
