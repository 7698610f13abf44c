"""The access rules on their own: how far each scope reaches, and the verdicts (no role:
403; out of reach: 404 where the record is named, else 403)."""

import uuid

import pytest

from services.shared.identity.access import (
    EVERYONE,
    Principal,
    Role,
    Scope,
    Target,
    Verdict,
    decide,
    reaches,
)

pytestmark = pytest.mark.unit

BOARD, OTHER_BOARD = uuid.uuid4(), uuid.uuid4()
SCHOOL, OTHER_SCHOOL = uuid.uuid4(), uuid.uuid4()
ACADEMY = uuid.uuid4()


def person(*roles: Role, **fields: object) -> Principal:
    values: dict[str, object] = {"staff_id": uuid.uuid4(), "board_id": BOARD, **fields}
    return Principal("https://idp", "sub", "name", roles=frozenset({Role.STAFF, *roles}), **values)  # type: ignore[arg-type]


def test_self_reaches_only_the_same_staff_id() -> None:
    me = person()
    assert reaches(me, Scope.SELF, Target(staff_id=me.staff_id))
    assert not reaches(me, Scope.SELF, Target(staff_id=uuid.uuid4()))
    client = Principal("https://idp", "c", "tool", BOARD, frozenset({Role.INTEGRATION}))
    assert not reaches(client, Scope.SELF, Target(staff_id=None))


def test_their_schools_needs_a_shared_school_on_the_same_board() -> None:
    leader = person(Role.LEADER, schools=frozenset({SCHOOL}))
    mine = Target(staff_id=uuid.uuid4(), board_id=BOARD, schools=frozenset({SCHOOL}))
    assert reaches(leader, Scope.THEIR_SCHOOLS, mine)
    elsewhere = Target(staff_id=uuid.uuid4(), board_id=BOARD, schools=frozenset({OTHER_SCHOOL}))
    assert not reaches(leader, Scope.THEIR_SCHOOLS, elsewhere)
    other_board = Target(board_id=OTHER_BOARD, schools=frozenset({SCHOOL}))
    assert not reaches(leader, Scope.THEIR_SCHOOLS, other_board)
    # A school nobody is placed in yet: its leader still reaches it by its id.
    assert reaches(leader, Scope.THEIR_SCHOOLS, Target(schools=frozenset({SCHOOL})))
    assert not reaches(leader, Scope.THEIR_SCHOOLS, Target(staff_id=uuid.uuid4()))


def test_their_academies_board_and_audits() -> None:
    admin = person(Role.ACADEMY_ADMIN, academies=frozenset({ACADEMY}))
    assert reaches(admin, Scope.THEIR_ACADEMIES, Target(academy_id=ACADEMY))
    assert not reaches(admin, Scope.THEIR_ACADEMIES, Target(academy_id=uuid.uuid4()))
    assert not reaches(admin, Scope.THEIR_ACADEMIES, Target())
    hr = person(Role.BOARD_ADMIN)
    assert reaches(hr, Scope.THEIR_BOARD, Target(board_id=BOARD))
    assert not reaches(hr, Scope.THEIR_BOARD, Target(board_id=OTHER_BOARD))
    assert not reaches(hr, Scope.THEIR_BOARD, Target())
    auditor = person(Role.AUDITOR)
    assert reaches(auditor, Scope.THEIR_AUDITS, Target(team=frozenset({auditor.staff_id})))  # type: ignore[arg-type]
    assert not reaches(auditor, Scope.THEIR_AUDITS, Target(team=frozenset({uuid.uuid4()})))


def test_a_role_the_rule_does_not_name_is_refused_before_the_record_is_looked_at() -> None:
    rule = {Role.ACADEMY_ADMIN: Scope.THEIR_ACADEMIES}
    assert decide(person(), rule, Target(academy_id=ACADEMY)) is Verdict.NO_ROLE


def test_any_of_the_callers_roles_may_reach() -> None:
    rule = {Role.STAFF: Scope.SELF, Role.LEADER: Scope.THEIR_SCHOOLS}
    leader = person(Role.LEADER, schools=frozenset({SCHOOL}))
    own = Target(staff_id=leader.staff_id, board_id=BOARD)
    teacher = Target(staff_id=uuid.uuid4(), board_id=BOARD, schools=frozenset({SCHOOL}))
    stranger = Target(staff_id=uuid.uuid4(), board_id=BOARD, schools=frozenset({OTHER_SCHOOL}))
    assert decide(leader, rule, own) is Verdict.ALLOWED
    assert decide(leader, rule, teacher) is Verdict.ALLOWED
    assert decide(leader, rule, stranger) is Verdict.OUT_OF_REACH


def test_a_rule_may_give_one_role_several_scopes() -> None:
    rule = {Role.LEADER: (Scope.SELF, Scope.THEIR_SCHOOLS)}
    leader = person(Role.LEADER, schools=frozenset({SCHOOL}))
    assert decide(leader, rule, Target(staff_id=leader.staff_id)) is Verdict.ALLOWED
    mine = Target(staff_id=uuid.uuid4(), board_id=BOARD, schools=frozenset({SCHOOL}))
    assert decide(leader, rule, mine) is Verdict.ALLOWED


def test_everyone_is_every_role_but_the_operators_monitoring() -> None:
    assert Role.OPERATOR not in EVERYONE
    assert set(EVERYONE) == set(Role) - {Role.OPERATOR}
    operator = Principal("https://idp", "m", "monitoring", None, frozenset({Role.OPERATOR}))
    assert decide(operator, EVERYONE, Target()) is Verdict.NO_ROLE
