"""Who may do what: principals, the records they touch, and each service's policy table.

Pure: no I/O. A service's `api/policy.py` writes its table with these names; the HTTP
layer (identity/http.py) looks the route up, and the handler names the record it touches.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    """What a person or a client does in huisacademie, each within its own scope."""

    STAFF = "staff"
    """Every person: their own records."""
    LEADER = "leader"
    """A school leader: the staff of their schools."""
    ACADEMY_ADMIN = "academy_admin"
    """The offerings, sessions, attendance and completions of their academies."""
    BOARD_ADMIN = "board_admin"
    """Targets, profiles, overviews and audit scheduling of their board (also HR)."""
    AUDITOR = "auditor"
    """The peer audits whose team they are on."""
    PRIVACY_OFFICER = "privacy_officer"
    """Exports and erasure for their board."""
    INTEGRATION = "integration"
    """An external tool's client: reads of its board."""
    OPERATOR = "operator"
    """The operator's monitoring: metrics, no personal data."""


class Scope(StrEnum):
    """How far a role reaches from the principal to the record a request touches."""

    ANY = "any"
    """Any record (what a role may do everywhere, e.g. search the catalogue)."""
    SELF = "self"
    """The principal's own records."""
    THEIR_SCHOOLS = "their schools"
    """Records of staff in, or of, a school the principal leads."""
    THEIR_ACADEMIES = "their academies"
    """Records of an academy the principal administers."""
    THEIR_BOARD = "their board"
    """Records of the principal's board."""
    THEIR_AUDITS = "their audits"
    """Audits whose team the principal is on."""


@dataclass(frozen=True)
class Principal:
    """A verified caller as our directory knows them: a person (with a staff id) or a
    client (an integration or the operator's tools, without one)."""

    issuer: str
    subject: str
    name: str
    board_id: UUID | None
    roles: frozenset[Role]
    staff_id: UUID | None = None
    schools: frozenset[UUID] = frozenset()
    academies: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class Target:
    """What a request touches, as far as access is concerned: whose record it is, of
    which schools, board and academy, and (for an audit) who is on its team."""

    staff_id: UUID | None = None
    board_id: UUID | None = None
    schools: frozenset[UUID] = frozenset()
    academy_id: UUID | None = None
    team: frozenset[UUID] = frozenset()


def reaches(principal: Principal, scope: Scope, target: Target) -> bool:
    match scope:
        case Scope.ANY:
            return True
        case Scope.SELF:
            return principal.staff_id is not None and principal.staff_id == target.staff_id
        case Scope.THEIR_SCHOOLS:
            # School ids are the board's own; a school nobody is placed in yet has no board.
            same_board = target.board_id is None or _same_board(principal, target)
            return same_board and bool(principal.schools & target.schools)
        case Scope.THEIR_ACADEMIES:
            return target.academy_id is not None and target.academy_id in principal.academies
        case Scope.THEIR_BOARD:
            return _same_board(principal, target)
        case Scope.THEIR_AUDITS:
            return principal.staff_id is not None and principal.staff_id in target.team


def _same_board(principal: Principal, target: Target) -> bool:
    return principal.board_id is not None and principal.board_id == target.board_id


Rule = Mapping[Role, Scope | tuple[Scope, ...]]
"""Who may use one route: each role that may, with how far it reaches. A role not named
may not use the route at all."""


@dataclass(frozen=True)
class Policy:
    """One service's table: (method, path template) -> rule."""

    rules: Mapping[tuple[str, str], Rule]
    public: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """Routes anyone may call without a token (a calendar feed, found by its secret)."""

    def rule(self, method: str, path: str) -> Rule | None:
        return self.rules.get((method, path))


class Verdict(StrEnum):
    ALLOWED = "allowed"
    NO_ROLE = "no role"
    """The caller has no role the route admits: 403."""
    OUT_OF_REACH = "out of reach"
    """A role the route admits, but not over this record: 404 where the record is named
    in the path (saying 403 would tell that it exists), else 403."""


def may_use(principal: Principal, rule: Rule) -> bool:
    return any(role in principal.roles for role in rule)


def decide(principal: Principal, rule: Rule, target: Target) -> Verdict:
    if not may_use(principal, rule):
        return Verdict.NO_ROLE
    for role, scopes in rule.items():
        if role not in principal.roles:
            continue
        for scope in scopes if isinstance(scopes, tuple) else (scopes,):
            if reaches(principal, scope, target):
                return Verdict.ALLOWED
    return Verdict.OUT_OF_REACH


EVERYONE: Rule = {role: Scope.ANY for role in Role if role is not Role.OPERATOR}
"""Every signed-in person or integration (not the operator's monitoring): what anyone of a
board may read, such as the catalogue."""

PERSON_EXPORT: Rule = {Role.STAFF: Scope.SELF, Role.PRIVACY_OFFICER: Scope.THEIR_BOARD}
"""A person's data export (GDPR articles 15 and 20), each service's part and the whole
bundle: for the person themself and for their board's privacy officer."""

OPERATIONS: Mapping[tuple[str, str], Rule] = {
    ("GET", "/metrics"): {Role.OPERATOR: Scope.ANY},
    ("GET", "/staff/{staff_id}/export"): PERSON_EXPORT,
}
"""The routes every service has beside its own: /health is public, /metrics the operator's
monitoring (no personal data in it), and its part of a person's data export."""
