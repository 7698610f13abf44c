"""The data export (GDPR articles 15 and 20): everything every service holds about one
person in one zip, for the person themself and their board's privacy officer, with every
marker planted in what was written about them and nothing of anyone else."""

import io
import json
import uuid
import zipfile

import httpx
import pytest

from huisacademie.demo import Endpoints, wait_for
from huisacademie.identity import INTEGRATION_CLIENT, INTEGRATION_SECRET
from services.shared.identity.access import Role
from tests.support.people import Caller, People
from tests.support.planting import Colleagues, offering_needing_approval, ok, plant

pytestmark = pytest.mark.e2e


def unpacked(endpoints: Endpoints, staff: Caller, caller: Caller) -> dict[str, bytes]:
    answer = httpx.get(
        f"{endpoints.portfolio}/staff/{staff.id}/export.zip", headers=caller.headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_export_holds_everything_about_the_person_and_nothing_of_another(
    endpoints: Endpoints, people: People
) -> None:
    c, audited = Colleagues.of(people), str(uuid.uuid4())
    board, school, me, other, leader, officer = (
        c.board,
        c.school,
        c.one,
        c.other,
        c.leader,
        c.officer,
    )
    offering_id = offering_needing_approval(endpoints, people, board)
    mine = plant(endpoints, me, leader, "MINE", offering_id)
    theirs = plant(endpoints, other, leader, "THEIRS", offering_id)
    # The person audits another school: their role on the team is theirs, the rest is not.
    team = [
        {"staff_id": me.id, "school_id": school, "role": "lead"},
        {"staff_id": other.id, "school_id": school, "role": "member"},
    ]
    audit = ok(httpx.post(
        f"{endpoints.catalogue}/audits",
        json={"school_id": audited, "board_id": board, "theme": "feedback",
              "audit_date": "2027-02-01", "team": team},
        headers=people.board_admin(board).headers,
    ))  # fmt: skip

    def complete() -> dict[str, bytes] | None:
        found = unpacked(endpoints, me, officer)
        roles = json.loads(found["portfolio.json"])["audit_roles"]
        return found if roles else None

    by_officer = wait_for("the audit in the portfolio", complete, timeout=30)
    by_themself = unpacked(endpoints, me, me)

    for bundle in (by_officer, by_themself):
        manifest = json.loads(bundle["manifest.json"])
        assert manifest["staff_id"] == me.id
        parts = {p["service"] for p in manifest["parts"]}
        assert parts == {"catalogue", "enrollment", "portfolio", "subscriptions", "web"}
        text = b"\n".join(bundle.values()).decode()
        missing = [m for m in mine if m not in text]
        assert not missing, f"the export lacks {missing}"
        assert [m for m in theirs if m in text] == []
        assert other.id not in text, "the export names another staff member"
        # The evidence file itself is in the bundle, as uploaded.
        files = [n for n in bundle if n.startswith("files/portfolio/")]
        assert len(files) == 1 and files[0].endswith(".txt")
        assert bundle[files[0]].decode() in mine
        catalogue = json.loads(bundle["catalogue.json"])
        assert [(a["audit_id"], a["role"]) for a in catalogue["audit_roles"]] == [
            (audit["audit_id"], "lead")
        ]
        portfolio = json.loads(bundle["portfolio.json"])
        assert portfolio["directory"]["staff_id"] == me.id
        assert portfolio["directory"]["schools"] == [school]  # JSON, not Python's repr
        assert portfolio["directory"]["roles"] == ["staff"]
        assert portfolio["directory"]["sign_ins"], "how the person signs in is theirs too"
        assert [a["member"]["role"] for a in portfolio["audit_roles"]] == ["lead"]
        enrollment = json.loads(bundle["enrollment.json"])
        assert [e["status"] for e in enrollment["enrollments"]] == ["declined"]

    # The board's external tool reads the enrolment's history, never the reason given.
    declined = json.loads(by_themself["enrollment.json"])["enrollments"][0]["enrollment_id"]
    tool = people.client(INTEGRATION_CLIENT, INTEGRATION_SECRET, board, Role.INTEGRATION)
    history = f"{endpoints.enrollment}/enrollments/{declined}/history"
    reason = mine[-1]
    assert reason in httpx.get(history, headers=me.headers).text
    for_tool = ok(httpx.get(history, headers=tool.headers))
    assert [h["type"].split(".")[-2] for h in for_tool] == [
        "enrollment_requested",
        "enrollment_declined",
    ]
    assert reason not in json.dumps(for_tool)

    # Nobody else gets it: not their leader, not a colleague, not another board's officer.
    stranger = people.person(Role.PRIVACY_OFFICER, board=str(uuid.uuid4()))
    for caller in (leader, other, stranger):
        answer = httpx.get(
            f"{endpoints.portfolio}/staff/{me.id}/export.zip", headers=caller.headers
        )
        assert answer.status_code in (403, 404), (caller, answer.status_code)
        for service in (
            endpoints.catalogue,
            endpoints.enrollment,
            endpoints.portfolio,
            endpoints.web,
        ):
            part = httpx.get(f"{service}/staff/{me.id}/export", headers=caller.headers)
            assert part.status_code in (403, 404), (service, caller, part.status_code)
