"""The subscriptions service's pure rules: whose an event is, what a subscription may ask
for, when a failed delivery comes back, where a delivery may go, and how learning is
written as xAPI statements."""

import random
from datetime import UTC, date, datetime
from ipaddress import ip_network
from uuid import UUID, uuid4

import pytest

from contracts.catalogue import AuditCompleted, CourseOffered, CourseWithdrawn
from contracts.enrollment import AttendanceRecorded, Completed, Enrolled, NotCompleted
from contracts.portfolio import StaffProfileSet
from contracts.privacy import PersonErased
from contracts.values import AuditorCredit, AuditRole, Employer, Findings, Sector, StaffRole
from services.shared.identity.directory import Person
from services.shared.identity.employers import stamp
from services.subscriptions.domain import statements as xapi
from services.subscriptions.domain.addresses import (
    Refused,
    checked_url,
    plain_http_refusal,
    refusal,
)
from services.subscriptions.domain.documents import StoredEvent, cloudevent
from services.subscriptions.domain.ownership import Kind, Owner, owner, taught
from services.subscriptions.domain.retries import next_try
from services.subscriptions.domain.wanted import Format, UnknownTypes, types_asked
from tests.support.factories import enrolled, offering_details, snapshot

pytestmark = pytest.mark.unit

BOARD, SCHOOL = uuid4(), uuid4()
WHEN = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def _completed(staff_id: UUID, hours: float = 2.5) -> Completed:
    seat = enrolled(staff_id=staff_id)
    return Completed(
        enrollment_id=seat.enrollment_id, staff_id=staff_id, offering=seat.offering,
        completed_on=date(2026, 12, 1), hours=hours,
    )  # fmt: skip


def _audit(*auditors: UUID) -> AuditCompleted:
    return AuditCompleted(
        audit_id=uuid4(), school_id=SCHOOL, board_id=BOARD, theme="Lezen",
        audit_date=date(2026, 11, 1), findings=Findings(),
        team=tuple(AuditorCredit(staff_id=a, school_id=uuid4(), role=AuditRole.MEMBER, hours=3)
                   for a in auditors),
    )  # fmt: skip


def test_an_event_about_a_person_belongs_to_the_board_that_employs_them() -> None:
    seat = enrolled().model_copy(
        update={"employer": Employer(board_id=BOARD, school_ids=(SCHOOL,))}
    )
    assert owner(seat) == Owner(BOARD, frozenset({SCHOOL}))
    assert owner(enrolled()) is None  # an older event without its employer reaches no one
    profile = StaffProfileSet(
        staff_id=uuid4(), board_id=BOARD, role=StaffRole.TEACHER, sector=Sector.PO, fte=1.0,
        school_ids=(SCHOOL,),
    )  # fmt: skip
    assert owner(profile) == Owner(BOARD, frozenset({SCHOOL}))


def test_an_offering_is_its_academys_boards_and_an_audit_the_audited_schools() -> None:
    details = offering_details(board_id=BOARD)
    assert owner(CourseOffered(offering=details)) == Owner(BOARD)
    audit = _audit(uuid4())
    found = owner(audit)
    assert isinstance(found, Owner) and found.board_id == BOARD
    assert SCHOOL in found.schools and audit.team[0].school_id in found.schools
    # A withdrawal names only the offering: its owner is what the offering taught.
    withdrawn = CourseWithdrawn(offering_id=details.offering_id, academy_id=details.academy_id)
    assert owner(withdrawn) == (Kind.OFFERING, details.offering_id)
    learned = dict(taught(CourseOffered(offering=details)))
    assert learned[(Kind.OFFERING, details.offering_id)] == Owner(BOARD)
    assert learned[(Kind.ACADEMY, details.academy_id)] == Owner(BOARD)


def test_a_subscription_asks_for_known_types_and_always_gets_erasures() -> None:
    everything = types_asked(Format.WEBHOOK, [])
    assert PersonErased.ce_type in everything and Completed.ce_type in everything
    assert types_asked(Format.WEBHOOK, [Completed.ce_type]) == {
        Completed.ce_type, PersonErased.ce_type
    }  # fmt: skip
    # an earlier version names its current one
    assert Completed.ce_type in types_asked(Format.WEBHOOK, list(Completed.replaces))
    with pytest.raises(UnknownTypes, match="unknown event types"):
        types_asked(Format.WEBHOOK, ["nl.huisacademie.nothing.v1"])
    with pytest.raises(UnknownTypes, match="no xAPI statement"):
        types_asked(Format.XAPI, [CourseOffered.ce_type])
    assert CourseOffered.ce_type not in types_asked(Format.XAPI, [])


def test_failed_deliveries_come_back_later_and_later_with_jitter_up_to_a_cap() -> None:
    rng = random.Random(7)
    waits = [next_try(n, 2.0, 60.0, rng).total_seconds() for n in range(1, 12)]
    for n, wait in enumerate(waits, start=1):
        ceiling = min(60.0, 2.0 * 2 ** (n - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert waits[-1] <= 60.0 and waits[4] > waits[0]
    assert len({round(next_try(3, 2.0, 60.0).total_seconds(), 6) for _ in range(20)}) > 1


@pytest.mark.parametrize(
    "address",
    ["10.1.2.3", "127.0.0.1", "169.254.169.254", "192.168.1.1", "::1", "fe80::1", "::ffff:10.0.0.1",
     "100.64.0.1", "0.0.0.0", "224.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::7f00:1",
     "::ffff:0:7f00:1", "2001::1"],
)  # fmt: skip
def test_a_delivery_never_goes_into_the_services_own_network(address: str) -> None:
    assert refusal(address, []) is not None


def test_an_allowlist_opens_its_networks_and_plain_http_only_there() -> None:
    loopback = [ip_network("127.0.0.0/8")]
    assert refusal("127.0.0.1", loopback) is None
    assert refusal("10.0.0.1", loopback) is not None
    assert refusal("93.184.216.34", []) is None
    assert plain_http_refusal(checked_url("http://127.0.0.1:9/x"), ["127.0.0.1"], loopback) is None
    assert "https" in str(plain_http_refusal(checked_url("http://e.org/x"), ["93.184.216.34"], []))
    for bad in (
        "ftp://e.org/x",
        "https://u:p@e.org/x",
        "https://e.org/x#top",
        "https://e.org:0/x",
        "x" * 2001,
        "http://",
    ):
        with pytest.raises(Refused):
            checked_url(bad)


def test_an_event_leaves_as_a_cloudevents_document_with_its_data_as_kept() -> None:
    stored = StoredEvent(
        uuid4(), Completed.ce_type, "/huisacademie/enrollment", "s", WHEN, '{"a":1}'
    )
    document = __import__("json").loads(cloudevent(stored))
    assert document == {
        "specversion": "1.0", "id": str(stored.event_id), "source": "/huisacademie/enrollment",
        "type": Completed.ce_type, "subject": "s", "time": WHEN.isoformat(),
        "datacontenttype": "application/json", "data": {"a": 1},
    }  # fmt: skip


def _accounts(staff_id: UUID) -> xapi.Account:
    return xapi.Account("https://login.voorbeeld.nl/realms/bestuur", f"sub-{staff_id}")


def test_a_completion_is_one_statement_with_its_hours_and_an_id_from_the_event() -> None:
    staff, event_id = uuid4(), uuid4()
    done = _completed(staff, hours=2.5)
    made = xapi.statements(event_id, WHEN, done, _accounts, "https://huisacademie.nl/")
    again = xapi.statements(event_id, WHEN, done, _accounts, "https://huisacademie.nl/")
    assert made == again and len(made) == 1  # the same event, the same statement
    statement = made[0]
    assert statement["id"] == str(xapi.statement_id(event_id, staff))
    assert UUID(statement["id"]).version == 5
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["result"] == {"completion": True, "success": True, "duration": "PT2H30M"}
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {
            "homePage": "https://login.voorbeeld.nl/realms/bestuur",
            "name": f"sub-{staff}",
        },
    }
    assert statement["object"]["id"] == (
        f"https://huisacademie.nl/xapi/activities/offerings/{done.offering.offering_id}"
    )
    assert statement["context"]["registration"] == str(done.enrollment_id)


def test_which_events_make_statements_and_about_whom() -> None:
    staff = uuid4()
    seat = enrolled(staff_id=staff)
    absent = AttendanceRecorded(
        enrollment_id=seat.enrollment_id, staff_id=staff, offering=seat.offering,
        session_id=uuid4(), session_starts_at=WHEN, attended=False, recorded_at=WHEN,
    )  # fmt: skip
    assert xapi.statements(uuid4(), WHEN, absent, _accounts, "https://h.nl") == []
    failed = NotCompleted(
        enrollment_id=seat.enrollment_id, staff_id=staff, offering=snapshot(),
        recorded_on=date(2026, 12, 1),
    )  # fmt: skip
    [statement] = xapi.statements(uuid4(), WHEN, failed, _accounts, "https://h.nl")
    assert (
        statement["verb"]["id"].endswith("/failed") and statement["result"]["completion"] is False
    )
    registered = xapi.statements(uuid4(), WHEN, seat, _accounts, "https://h.nl")
    assert registered[0]["verb"]["id"].endswith("/registered")
    one, two = uuid4(), uuid4()
    audit = _audit(one, two)
    made = xapi.statements(uuid4(), WHEN, audit, _accounts, "https://h.nl")
    assert xapi.about(audit) == (one, two) and len(made) == 2
    assert {s["result"]["duration"] for s in made} == {"PT3H0M"}
    assert isinstance(seat, Enrolled) and xapi.about(seat) == (staff,)


def test_an_erasure_voids_each_statement_by_a_statement_of_its_own() -> None:
    erasure, voided = uuid4(), [uuid4(), uuid4()]
    made = xapi.voiding(erasure, WHEN, voided, "https://h.nl")
    assert [s["object"] for s in made] == [
        {"objectType": "StatementRef", "id": str(v)} for v in voided
    ]
    assert all(s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided" for s in made)
    assert made == xapi.voiding(erasure, WHEN, voided, "https://h.nl")
    assert xapi.duration(0.25) == "PT0H15M" and xapi.duration(40) == "PT40H0M"


class _Directory:
    def __init__(self, *known: Person) -> None:
        self.known = {p.staff_id: p for p in known}

    async def person(self, staff_id: UUID) -> Person | None:
        return self.known.get(staff_id)


async def test_events_leave_naming_the_board_and_schools_that_employ_their_person() -> None:
    known, unknown = uuid4(), uuid4()
    directory = _Directory(Person(known, BOARD, "Anouk", frozenset({SCHOOL})))
    named = Employer(board_id=uuid4())
    already = enrolled(staff_id=known).model_copy(update={"employer": named})
    made = await stamp(
        [enrolled(staff_id=known), enrolled(staff_id=unknown), already,
         CourseOffered(offering=offering_details())], directory,
    )  # fmt: skip
    employers = [getattr(e, "employer", "none") for e in made]
    assert employers == [Employer(board_id=BOARD, school_ids=(SCHOOL,)), None, named, "none"]
