"""Finding what a command names, or a 404 that says what was not found."""

from uuid import UUID

from services.enrollment import store
from services.enrollment.domain import Enrollment, Offering
from services.shared.db import Connection
from services.shared.errors import NotFound


async def offering(conn: Connection, offering_id: UUID, *, lock: bool = True) -> Offering:
    found = await store.get_offering(conn, offering_id, lock=lock)
    if found is None:
        raise NotFound(f"no offering {offering_id} (a newly published offering may take a moment)")
    return found


async def enrollment(conn: Connection, enrollment_id: UUID) -> Enrollment:
    found = await store.get(conn, enrollment_id)
    if found is None:
        raise NotFound(f"no enrollment {enrollment_id}")
    return found


async def locked(conn: Connection, enrollment_id: UUID) -> tuple[Enrollment, Offering]:
    """The enrollment as it stands once its offering is locked: every change to an
    enrollment takes its offering's lock, so what it reads now holds until commit."""
    first = await enrollment(conn, enrollment_id)
    locked_offering = await offering(conn, first.offering_id)
    return await enrollment(conn, enrollment_id), locked_offering
