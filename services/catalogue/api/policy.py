"""Who may use each of the catalogue's routes (docs/security.md shows every service's)."""

from services.shared.identity.access import EVERYONE, OPERATIONS, Policy
from services.shared.identity.access import Role as R
from services.shared.identity.access import Scope as S

ACADEMY: dict[R, S] = {R.ACADEMY_ADMIN: S.THEIR_ACADEMIES}
AUDIT_READERS: dict[R, S] = {
    R.LEADER: S.THEIR_SCHOOLS, R.BOARD_ADMIN: S.THEIR_BOARD, R.AUDITOR: S.THEIR_AUDITS,
}  # fmt: skip

POLICY = Policy(
    {
        **OPERATIONS,
        ("POST", "/academies"): {R.BOARD_ADMIN: S.THEIR_BOARD},
        ("GET", "/academies/{academy_id}"): EVERYONE,
        ("POST", "/offerings"): ACADEMY,
        # Everyone searches, but sees only what is shown to their board (visibility).
        ("GET", "/offerings"): EVERYONE,
        ("GET", "/offerings/{offering_id}"): EVERYONE,
        ("PATCH", "/offerings/{offering_id}"): ACADEMY,
        ("POST", "/offerings/{offering_id}/withdraw"): ACADEMY,
        ("POST", "/programmes"): ACADEMY,
        ("GET", "/programmes"): EVERYONE,
        ("GET", "/programmes/{programme_id}"): EVERYONE,
        # A listing shows the audits the caller reaches.
        ("GET", "/audits"): AUDIT_READERS,
        ("GET", "/audits/{audit_id}"): AUDIT_READERS,
        ("POST", "/audits"): {R.BOARD_ADMIN: S.THEIR_BOARD},
        ("POST", "/audits/{audit_id}/reschedule"): {R.BOARD_ADMIN: S.THEIR_BOARD},
        ("POST", "/audits/{audit_id}/cancel"): {R.BOARD_ADMIN: S.THEIR_BOARD},
        # The team records its findings (or the board, from the team's report).
        ("POST", "/audits/{audit_id}/complete"): {
            R.AUDITOR: S.THEIR_AUDITS,
            R.BOARD_ADMIN: S.THEIR_BOARD,
        },
    }
)
