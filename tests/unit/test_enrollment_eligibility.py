"""Enrollment: who may enrol and when: the window, visibility and the audience."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.values import OfferingDetails, Sector, StaffRole, Visibility
from services.enrollment.domain.eligibility import NotEligible, StaffMember, check_eligible
from services.shared.errors import CommandRejected
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
OPENS = datetime(2025, 8, 15, 8, 0, tzinfo=UTC)
CLOSES = datetime(2025, 9, 5, 17, 0, tzinfo=UTC)


def an_offering(board_id: UUID, **extra: object) -> OfferingDetails:
    """offering_details() plus fields the factory does not take (window, audience, ...)."""
    return OfferingDetails.model_validate(offering_details(board_id=board_id).model_dump() | extra)


def a_teacher(board_id: UUID, sector: Sector | None = Sector.PO) -> StaffMember:
    return StaffMember(uuid4(), board_id, StaffRole.TEACHER, sector)


def admitted(offering: OfferingDetails, staff: StaffMember, now: datetime = NOW) -> bool:
    try:
        check_eligible(offering, staff, now)
    except NotEligible:
        return False
    return True


def rejection(offering: OfferingDetails, staff: StaffMember, now: datetime = NOW) -> str:
    with pytest.raises(NotEligible) as caught:
        check_eligible(offering, staff, now)
    assert isinstance(caught.value, CommandRejected)
    return caught.value.message


@pytest.mark.parametrize("now", [OPENS, NOW, CLOSES - timedelta(microseconds=1)])
def test_the_window_is_open_from_its_opening_until_just_before_it_closes(now: datetime) -> None:
    board = uuid4()
    offering = an_offering(board, enrolment_opens=OPENS, enrolment_closes=CLOSES)
    assert admitted(offering, a_teacher(board), now)


def test_before_the_window_opens_the_message_says_when_it_opens() -> None:
    board = uuid4()
    offering = an_offering(board, enrolment_opens=OPENS, enrolment_closes=CLOSES)
    message = rejection(offering, a_teacher(board), OPENS - timedelta(seconds=1))
    assert message == f"enrolment opens at {OPENS.isoformat()}"


@pytest.mark.parametrize("now", [CLOSES, CLOSES + timedelta(days=30)])
def test_from_the_moment_the_window_closes_enrollment_is_refused(now: datetime) -> None:
    board = uuid4()
    offering = an_offering(board, enrolment_opens=OPENS, enrolment_closes=CLOSES)
    assert rejection(offering, a_teacher(board), now) == f"enrolment closed at {CLOSES.isoformat()}"


def test_an_own_board_offering_is_hidden_from_other_boards() -> None:
    offering = an_offering(uuid4(), visibility=Visibility.OWN_BOARD)
    assert "only for staff of the board" in rejection(offering, a_teacher(uuid4()))


def test_an_own_board_offering_is_open_to_its_own_board() -> None:
    board = uuid4()
    offering = an_offering(board, visibility=Visibility.OWN_BOARD)
    assert admitted(offering, a_teacher(board), NOW)


@pytest.mark.parametrize("visibility", [Visibility.NETWORK, Visibility.PUBLIC])
def test_network_and_public_offerings_are_open_to_other_boards(visibility: Visibility) -> None:
    offering = an_offering(uuid4(), visibility=visibility)
    assert admitted(offering, a_teacher(uuid4()), NOW)


def test_a_role_outside_the_audience_is_refused_with_the_roles_named() -> None:
    board = uuid4()
    audience = {"roles": (StaffRole.SCHOOL_LEADER, StaffRole.SPECIALIST)}
    offering = an_offering(board, audience=audience)
    assert rejection(offering, a_teacher(board)) == (
        "this offering is for school_leader, specialist; the staff member is teacher"
    )


@pytest.mark.parametrize("role", list(StaffRole))
def test_no_roles_means_every_role(role: StaffRole) -> None:
    board = uuid4()
    offering = an_offering(board, audience={"roles": ()})
    assert admitted(offering, StaffMember(uuid4(), board, role), NOW)


def test_a_role_in_the_audience_passes() -> None:
    board = uuid4()
    offering = an_offering(board, audience={"roles": (StaffRole.TEACHER,)})
    assert admitted(offering, a_teacher(board), NOW)


def test_a_sector_outside_the_audience_is_refused_with_the_sectors_named() -> None:
    board = uuid4()
    offering = an_offering(board, audience={"sectors": (Sector.VO,)})
    message = rejection(offering, a_teacher(board, Sector.PO))
    assert message == "this offering is for VO; the staff member works in PO"


@pytest.mark.parametrize(
    ("sectors", "sector"),
    [((Sector.VO,), None), ((), Sector.PO), ((Sector.PO, Sector.VO), Sector.VO)],
    ids=["no-sector-on-record", "no-restriction", "in-audience"],
)
def test_sector_restrictions_that_pass(sectors: tuple[Sector, ...], sector: Sector | None) -> None:
    board = uuid4()
    offering = an_offering(board, audience={"sectors": sectors})
    assert admitted(offering, a_teacher(board, sector), NOW)
