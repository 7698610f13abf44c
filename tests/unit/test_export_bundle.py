"""The data export's bundle: one zip with a manifest, a JSON document per service and the
files, whose names a person chose and which can never climb out of their folder; and the
parts it is made of, asked for with the caller's token and each checked."""

import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx
import pytest

from services.shared.identity.access import Role
from services.shared.privacy.export import (
    Bundle,
    BundledFile,
    ExportPart,
    PartMissing,
    gather,
    safe_path,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("verslag.pdf", "verslag.pdf"),
        ("../../etc/passwd", "etc/passwd"),
        ("/abs/olute.txt", "abs/olute.txt"),
        ("..\\..\\win.ini", "win.ini"),
        ("a/./b/../c.txt", "a/b/c.txt"),
        (".hidden", "hidden"),
        ("..", "file"),
        ("", "file"),
    ],
)
def test_a_chosen_name_stays_inside_its_folder(name: str, path: str) -> None:
    assert safe_path(name) == path
    assert ".." not in safe_path(name).split("/")


def test_the_bundle_holds_a_manifest_each_part_and_its_files() -> None:
    staff, school, at = uuid.uuid4(), uuid.uuid4(), datetime(2026, 12, 6, tzinfo=UTC)
    out = io.BytesIO()
    made = Bundle(staff, at, out)
    made.part(ExportPart(
        service="portfolio", staff_id=staff, exported_at=at,
        data={"entries": [{"title": "Congres"}], "directory": {
            "schools": frozenset({school}), "roles": {Role.STAFF}, "on": date(2026, 8, 1),
        }},
    ))  # fmt: skip
    made.part(ExportPart.now("enrollment", staff, {"enrollments": []}))
    made.file("portfolio", BundledFile("e1/../../verslag.txt", "text/plain", b"mijn verslag"))
    made.close()

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        portfolio = json.loads(archive.read("portfolio.json"))
        content = archive.read("files/portfolio/e1/verslag.txt")
    assert names == {
        "manifest.json", "portfolio.json", "enrollment.json", "files/portfolio/e1/verslag.txt"
    }  # fmt: skip
    assert manifest["staff_id"] == str(staff)
    assert [p["service"] for p in manifest["parts"]] == ["portfolio", "enrollment"]
    assert manifest["files"] == [
        {"path": "files/portfolio/e1/verslag.txt", "media_type": "text/plain"}
    ]
    assert portfolio["entries"] == [{"title": "Congres"}] and portfolio["service"] == "portfolio"
    # Sets, ids, enumerations and dates as JSON has them, for any program to read.
    assert portfolio["directory"] == {
        "schools": [str(school)], "roles": ["staff"], "on": "2026-08-01"
    }  # fmt: skip
    assert content == b"mijn verslag"


def _answering(respond: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(respond))


async def test_each_part_is_asked_for_with_the_callers_token_and_checked() -> None:
    staff = uuid.uuid4()
    asked: list[tuple[str, str]] = []

    def respond(request: httpx.Request) -> httpx.Response:
        asked.append((str(request.url), request.headers["authorization"]))
        service = request.url.host
        part = ExportPart.now(service, staff, {"from": service})
        return httpx.Response(200, content=part.model_dump_json())

    sources = {"enrollment": "http://enrollment/", "catalogue": "http://catalogue"}
    parts = await gather(sources, staff, "Bearer caller", _answering(respond))

    assert [p.service for p in parts] == ["catalogue", "enrollment"]
    assert sorted(asked) == [
        (f"http://catalogue/staff/{staff}/export", "Bearer caller"),
        (f"http://enrollment/staff/{staff}/export", "Bearer caller"),
    ]


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (lambda s: httpx.Response(403, json={"detail": "no"}), "gave no part (403)"),
        (lambda s: httpx.Response(200, content=b"<html>"), "not an export part"),
        (lambda s: httpx.Response(200, json={"service": "enrollment"}), "not an export part"),
        (  # another person's part
            lambda s: httpx.Response(
                200, content=ExportPart.now("enrollment", uuid.uuid4(), {}).model_dump_json()
            ),
            "another part",
        ),
        (  # another service's part
            lambda s: httpx.Response(
                200, content=ExportPart.now("portfolio", s, {}).model_dump_json()
            ),
            "another part",
        ),
    ],
)
async def test_a_part_that_is_missing_or_wrong_stops_the_bundle(
    answer: Callable[[uuid.UUID], httpx.Response], why: str
) -> None:
    staff = uuid.uuid4()
    client = _answering(lambda _: answer(staff))
    with pytest.raises(PartMissing, match=re.escape(why)):
        await gather({"enrollment": "http://enrollment"}, staff, "Bearer x", client)


async def test_a_service_out_of_reach_stops_the_bundle() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(PartMissing, match="not reachable"):
        await gather(
            {"catalogue": "http://catalogue"}, uuid.uuid4(), "Bearer x", _answering(refuse)
        )
