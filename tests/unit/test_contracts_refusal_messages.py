"""Contracts: the exact reasons a value is refused at the door (the API returns them)."""

import pytest
from pydantic import ValidationError

from contracts.values import Audience, Findings, StaffRole

pytestmark = pytest.mark.unit


def test_text_with_a_nul_character_is_refused_with_its_reason() -> None:
    with pytest.raises(ValidationError) as refused:
        Findings(strengths=("good\x00",))
    [error] = refused.value.errors()
    assert (error["loc"], error["msg"]) == (
        ("strengths", 0),
        "Value error, text may not contain NUL characters",
    )


def test_the_same_role_twice_is_refused_with_its_reason() -> None:
    with pytest.raises(ValidationError) as refused:
        Audience(roles=(StaffRole.TEACHER, StaffRole.TEACHER))
    [error] = refused.value.errors()
    assert (error["loc"], error["msg"]) == (("roles",), "Value error, items must be distinct")
