"""Who may use each of the portfolio's routes (docs/security.md shows every service's)."""

from services.shared.identity.access import OPERATIONS, PERSON_EXPORT, Policy
from services.shared.identity.access import Role as R
from services.shared.identity.access import Scope as S

OWNER: dict[R, S] = {R.STAFF: S.SELF}
DOSSIER: dict[R, S] = {R.STAFF: S.SELF, R.LEADER: S.THEIR_SCHOOLS}
"""The dossier, its plans and evidence files: the person and their school leader."""
SCHOOL: dict[R, S] = {R.LEADER: S.THEIR_SCHOOLS, R.BOARD_ADMIN: S.THEIR_BOARD}
BOARD: dict[R, S] = {R.BOARD_ADMIN: S.THEIR_BOARD}
PROFILE: dict[R, S] = {**DOSSIER, R.BOARD_ADMIN: S.THEIR_BOARD}
"""A staff profile (role, sector, FTE, schools): the person, their leader and the board."""
TARGETS: dict[R, S] = {R.STAFF: S.THEIR_BOARD, R.BOARD_ADMIN: S.THEIR_BOARD}
"""A board's targets per role are its own policy, open to everyone who works there."""
RETENTION: dict[R, S] = {R.BOARD_ADMIN: S.THEIR_BOARD, R.PRIVACY_OFFICER: S.THEIR_BOARD}
"""A board's retention period: its administrators and its privacy officer read it; the
privacy officer alone sets it (a shorter one erases people at once)."""

POLICY = Policy(
    {
        **OPERATIONS,
        ("GET", "/staff/{staff_id}/portfolio"): DOSSIER,
        ("GET", "/staff/{staff_id}/portfolio/changes"): DOSSIER,
        ("GET", "/staff/{staff_id}/portfolio.html"): DOSSIER,
        ("GET", "/staff/{staff_id}/portfolio.pdf"): DOSSIER,
        ("GET", "/evidence/{evidence_id}"): DOSSIER,
        ("POST", "/staff/{staff_id}/entries"): OWNER,
        ("POST", "/staff/{staff_id}/entries/{entry_id}/evidence"): OWNER,
        ("POST", "/staff/{staff_id}/entries/{entry_id}/reflections"): OWNER,
        ("POST", "/staff/{staff_id}/entries/{entry_id}/notes"): {R.LEADER: S.THEIR_SCHOOLS},
        ("PUT", "/staff/{staff_id}/plans/{year}"): OWNER,
        ("GET", "/staff/{staff_id}/plans/{year}"): DOSSIER,
        ("GET", "/staff/{staff_id}/profile"): PROFILE,
        ("PUT", "/staff/{staff_id}/profile"): BOARD,
        ("GET", "/boards/{board_id}/targets"): TARGETS,
        ("PUT", "/boards/{board_id}/targets"): BOARD,
        ("GET", "/schools/{school_id}/overview"): SCHOOL,
        ("GET", "/schools/{school_id}/audits"): SCHOOL,
        ("POST", "/schools/{school_id}/audits/{audit_id}/follow-ups"): {R.LEADER: S.THEIR_SCHOOLS},
        ("GET", "/boards/{board_id}/audits"): BOARD,
        ("GET", "/staff/{staff_id}/export.zip"): PERSON_EXPORT,
        ("POST", "/staff/{staff_id}/erasure"): {R.PRIVACY_OFFICER: S.THEIR_BOARD},
        ("POST", "/staff/{staff_id}/departure"): BOARD,
        ("DELETE", "/staff/{staff_id}/departure"): BOARD,
        ("GET", "/boards/{board_id}/retention"): RETENTION,
        ("PUT", "/boards/{board_id}/retention"): {R.PRIVACY_OFFICER: S.THEIR_BOARD},
    }
)
