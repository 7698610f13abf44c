"""Who may use each of enrollment's routes (docs/security.md shows every service's)."""

from services.shared.identity.access import EVERYONE, OPERATIONS, Policy
from services.shared.identity.access import Role as R
from services.shared.identity.access import Scope as S

ACADEMY: dict[R, S] = {R.ACADEMY_ADMIN: S.THEIR_ACADEMIES}
READERS: dict[R, S] = {
    R.STAFF: S.SELF, R.LEADER: S.THEIR_SCHOOLS, R.ACADEMY_ADMIN: S.THEIR_ACADEMIES,
    R.BOARD_ADMIN: S.THEIR_BOARD, R.INTEGRATION: S.THEIR_BOARD,
}  # fmt: skip
"""An enrollment: its person, their leader, the offering's academy, their board."""

POLICY = Policy(
    {
        **OPERATIONS,
        # Seat counts for everyone; who holds the seats only for the academy (see the route).
        ("GET", "/offerings/{offering_id}"): EVERYONE,
        # A person enrols themself; a leader enrols staff of their schools as a team.
        ("POST", "/enrollments"): {R.STAFF: S.SELF},
        ("POST", "/teams/enrollments"): {R.LEADER: S.THEIR_SCHOOLS},
        ("POST", "/enrollments/{enrollment_id}/approve"): {R.LEADER: S.THEIR_SCHOOLS},
        ("POST", "/enrollments/{enrollment_id}/decline"): {R.LEADER: S.THEIR_SCHOOLS},
        ("POST", "/enrollments/{enrollment_id}/cancel"): {
            R.STAFF: S.SELF,
            R.LEADER: S.THEIR_SCHOOLS,
            R.ACADEMY_ADMIN: S.THEIR_ACADEMIES,
        },
        ("POST", "/enrollments/{enrollment_id}/attendance"): ACADEMY,
        ("POST", "/enrollments/{enrollment_id}/complete"): ACADEMY,
        ("POST", "/enrollments/{enrollment_id}/not-completed"): ACADEMY,
        ("GET", "/enrollments/{enrollment_id}"): READERS,
        ("GET", "/enrollments/{enrollment_id}/history"): READERS,
        ("GET", "/staff/{staff_id}/enrollments"): {
            R.STAFF: S.SELF,
            R.LEADER: S.THEIR_SCHOOLS,
            R.BOARD_ADMIN: S.THEIR_BOARD,
            R.INTEGRATION: S.THEIR_BOARD,
        },
        # A school's staff's enrollments: the leader's approvals inbox (status=requested).
        ("GET", "/schools/{school_id}/enrollments"): {
            R.LEADER: S.THEIR_SCHOOLS,
            R.BOARD_ADMIN: S.THEIR_BOARD,
        },
        # Any leader reserves seats for their own team; the reservation is then theirs.
        ("POST", "/offerings/{offering_id}/reservations"): {R.LEADER: S.ANY},
        ("GET", "/reservations/{reservation_id}"): {
            R.LEADER: S.SELF,
            R.ACADEMY_ADMIN: S.THEIR_ACADEMIES,
        },
        ("POST", "/reservations/{reservation_id}/fill"): {R.LEADER: S.SELF},
        ("POST", "/reservations/{reservation_id}/release"): {R.LEADER: S.SELF},
        ("GET", "/enrollments/{enrollment_id}/calendar.ics"): {
            R.STAFF: S.SELF,
            R.LEADER: S.THEIR_SCHOOLS,
        },
        ("POST", "/staff/{staff_id}/calendar-feed"): {R.STAFF: S.SELF},
    },
    public=frozenset({("GET", "/calendar-feeds/{secret}.ics")}),
)
