"""The data export's bundle: one zip with a manifest, a JSON document per service and the
files, whose names a person chose and which can never climb out of their folder."""

import io
import json
import uuid
import zipfile
from datetime import UTC, date, datetime

import pytest

from services.shared.identity.access import Role
from services.shared.privacy.export import ExportFile, ExportPart, bundle, safe_path

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
    parts = [
        ExportPart(
            service="portfolio", staff_id=staff, exported_at=at,
            data={"entries": [{"title": "Congres"}], "directory": {
                "schools": frozenset({school}), "roles": {Role.STAFF}, "on": date(2026, 8, 1),
            }},
            files=[ExportFile.of("e1/../../verslag.txt", "text/plain", b"mijn verslag")],
        ),
        ExportPart(service="enrollment", staff_id=staff, exported_at=at, data={"enrollments": []}),
    ]  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(bundle(staff, at, parts))) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        portfolio = json.loads(archive.read("portfolio.json"))
        content = archive.read("files/portfolio/e1/verslag.txt")
    assert names == {
        "manifest.json", "portfolio.json", "enrollment.json", "files/portfolio/e1/verslag.txt"
    }  # fmt: skip
    assert manifest["staff_id"] == str(staff)
    assert [p["service"] for p in manifest["parts"]] == ["portfolio", "enrollment"]
    assert manifest["parts"][0]["files"] == [
        {"path": "files/portfolio/e1/verslag.txt", "media_type": "text/plain"}
    ]
    assert portfolio["entries"] == [{"title": "Congres"}] and portfolio["service"] == "portfolio"
    # Sets, ids, enumerations and dates as JSON has them, for any program to read.
    assert portfolio["directory"] == {
        "schools": [str(school)], "roles": ["staff"], "on": "2026-08-01"
    }  # fmt: skip
    assert content == b"mijn verslag"
