"""Finding what a command names, or a 404 that says what was not found."""

from uuid import UUID

from services.enrollment import store
from services.enrollment.domain import Enrollment, Offering
from services.shared.db import Connection
from services.shared.errors import NotFound


async def offering(
    conn: Connection, offering_id: UUID, *, lock: store.RowLock = "FOR UPDATE"
) -> Offering:
    found = await store.get_offering(conn, offering_id, lock=lock)
    if found is None:
        raise NotFound(f"no offering {offering_id} (a newly published offering may take a moment)")
    return found


async def enrollment(conn: Connection, enrollment_id: UUID, *, lock: bool = False) -> Enrollment:
    found = await store.get(conn, enrollment_id, lock=lock)
    if found is None:
        raise NotFound(f"no enrollment {enrollment_id}")
    return found


async def locked(
    conn: Connection, enrollment_id: UUID, *, seats: bool = True
) -> tuple[Enrollment, Offering]:
    """The enrollment as it stands once its offering is locked: every change to an
    enrollment takes its offering's lock, so what it reads now holds until commit.

    A change that decides no seat (``seats=False``: attendance, completion) shares the
    offering's lock and takes the enrollment's row lock instead, so completions on one
    offering run side by side while seat decisions and offering changes still wait."""
    first = await enrollment(conn, enrollment_id)
    held = await offering(conn, first.offering_id, lock="FOR UPDATE" if seats else "FOR SHARE")
    return await enrollment(conn, enrollment_id, lock=not seats), held
