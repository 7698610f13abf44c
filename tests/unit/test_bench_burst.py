"""The burst benchmark's check (bench/burst.py): the HTTP answers against the enrollments the
database holds afterwards, and the seats against the offering's."""

from uuid import uuid4

import pytest

from bench.burst import Answer, mismatches

pytestmark = pytest.mark.unit


def burst(enrolled: int, waitlisted: int) -> tuple[list[Answer], dict[str, tuple[str, str]]]:
    """Answers and the rows that match them."""
    answers = [
        Answer(str(uuid4()), str(uuid4()), status)
        for status in ["enrolled"] * enrolled + ["waitlisted"] * waitlisted
    ]
    return answers, {a.enrollment_id: (a.staff_id, a.status) for a in answers}


def test_answers_that_match_the_database_and_the_seats_pass() -> None:
    answers, rows = burst(3, 7)
    assert mismatches(answers, rows, requests=10, seats=3) == []
    answers, rows = burst(4, 0)
    assert mismatches(answers, rows, requests=4, seats=5) == []


def test_an_answer_the_database_does_not_hold_as_answered_is_reported() -> None:
    answers, rows = burst(3, 7)
    moved, lost = answers[5], answers[6]
    rows[moved.enrollment_id] = (moved.staff_id, "enrolled")
    del rows[lost.enrollment_id]
    assert mismatches(answers, rows, requests=10, seats=3) == [
        f"answered {moved}, the database holds {(moved.staff_id, 'enrolled')}",
        f"answered {lost}, the database holds None",
        "the database holds {'enrolled': 4, 'waitlisted': 5}, not {'enrolled': 3, 'waitlisted': 7}",
    ]


def test_an_enrollment_nobody_was_answered_is_reported() -> None:
    answers, rows = burst(3, 7)
    rows[extra := str(uuid4())] = (str(uuid4()), "waitlisted")
    unanswered = sorted([answers[9].enrollment_id, extra])
    assert mismatches(answers[:9], rows, requests=10, seats=3) == [
        "9 answers to 10 requests",
        *(f"enrollment {e} {rows[e]} was never answered" for e in unanswered),
        "the database holds {'enrolled': 3, 'waitlisted': 8}, not {'enrolled': 3, 'waitlisted': 7}",
    ]


def test_an_overbooked_burst_is_reported_even_when_every_answer_matches() -> None:
    answers, rows = burst(4, 6)
    assert mismatches(answers, rows, requests=10, seats=3) == [
        "the database holds {'enrolled': 4, 'waitlisted': 6}, not {'enrolled': 3, 'waitlisted': 7}"
    ]


def test_two_answers_naming_one_enrollment_are_reported() -> None:
    answers, rows = burst(3, 7)
    first, second = answers[0], Answer(answers[1].staff_id, answers[0].enrollment_id, "enrolled")
    answers[1] = second
    del rows[first.enrollment_id]
    [never] = [e for e in rows if e not in {a.enrollment_id for a in answers}]
    assert mismatches(answers, rows, requests=10, seats=3) == [
        "1 answers name an enrollment another named",
        f"answered {first}, the database holds None",
        f"answered {second}, the database holds None",
        f"enrollment {never} {rows[never]} was never answered",
        "the database holds {'enrolled': 2, 'waitlisted': 7}, not {'enrolled': 3, 'waitlisted': 7}",
    ]
