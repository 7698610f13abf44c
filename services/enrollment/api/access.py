"""What enrollment's records are, for access: an enrollment is its staff member's (and so
their school leader's and board's) and its offering's academy's."""

from dataclasses import replace
from uuid import UUID

from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.domain.enrollments import Enrollment
from services.enrollment.queries import EnrollmentQueries
from services.shared.identity.access import Scope, Target, reaches
from services.shared.identity.http import Caller, Forbidden


async def enrollment_target(who: Caller, q: EnrollmentQueries, enrollment: Enrollment) -> Target:
    staff = await who.directory.staff_target(enrollment.staff_id)
    return replace(staff, academy_id=await q.academy_of(enrollment.offering_id))


async def reached_enrollment(who: Caller, q: EnrollmentQueries, enrollment_id: UUID) -> Enrollment:
    """The enrollment, if the caller reaches it (else 404, as if there were none)."""
    enrollment = await q.enrollment(enrollment_id)
    who.allow(await enrollment_target(who, q, enrollment))
    return enrollment


async def team_of(who: Caller, members: list[StaffMember]) -> None:
    """Everyone a leader names must be staff of a school they lead."""
    known = await who.directory.people(m.staff_id for m in members)
    for member in members:
        person = known.get(member.staff_id)
        target = person.target() if person else Target(staff_id=member.staff_id)
        if not reaches(who.principal, Scope.THEIR_SCHOOLS, target):
            raise Forbidden(f"{member.staff_id} is not staff of a school you lead")
