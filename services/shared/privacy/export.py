"""A person's data export (GDPR articles 15 and 20): what one service holds about them, as
JSON (an ExportPart, from every service's GET /staff/{staff_id}/export), and the bundle
that puts every service's part and the person's files in one zip."""

import asyncio
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import IO, Any
from uuid import UUID

import httpx
from pydantic import BaseModel, Field, ValidationError

ABOUT = (
    "Everything huisacademie holds about one staff member, as each service keeps it:"
    " <service>.json for each service, and under files/ the files they uploaded."
    " Text others wrote about the person (a school leader's notes) is included; what the"
    " person wrote about someone else is that other person's, and is not."
)


@dataclass(frozen=True)
class BundledFile:
    """A file a person uploaded, as it goes into the bundle (one at a time: they are big)."""

    path: str
    """Its place under files/<service>/, made safe to unpack (safe_path)."""
    media_type: str
    content: bytes


class ExportPart(BaseModel):
    """What one service holds about one person."""

    service: str
    staff_id: UUID
    exported_at: datetime
    data: dict[str, Any] = Field(description="Each kind of record the service keeps, by name.")

    @classmethod
    def now(
        cls,
        service: str,
        staff_id: UUID,
        data: dict[str, Any],
    ) -> "ExportPart":
        return cls(service=service, staff_id=staff_id, exported_at=datetime.now(UTC), data=data)


class Bundle:
    """One zip, written into `out` as it is made: a JSON document per service's part, the
    files one at a time (stored as they are: documents and images are compressed
    already), and at the end manifest.json saying what is where."""

    def __init__(self, staff_id: UUID, exported_at: datetime, out: IO[bytes]) -> None:
        self._archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
        self._manifest: dict[str, Any] = {
            "staff_id": str(staff_id),
            "exported_at": exported_at.isoformat(),
            "about": ABOUT,
            "parts": [],
            "files": [],
        }

    def part(self, part: ExportPart) -> None:
        # As JSON has it: sets as lists, ids and dates as text, enumerations as values.
        dumped = part.model_dump(mode="json")
        document = {**{k: v for k, v in dumped.items() if k != "data"}, **dumped["data"]}
        name = f"{safe_path(part.service)}.json"
        self._archive.writestr(name, _json(document))
        self._manifest["parts"].append({"service": part.service, "data": name})

    @staticmethod
    def place(service: str, path: str) -> str:
        """Where a service's file goes in the zip."""
        return f"files/{safe_path(service)}/{safe_path(path)}"

    def file(self, service: str, file: BundledFile) -> None:
        path = self.place(service, file.path)
        self._archive.writestr(path, file.content, compress_type=zipfile.ZIP_STORED)
        self._manifest["files"].append({"path": path, "media_type": file.media_type})

    def close(self) -> None:
        self._archive.writestr("manifest.json", _json(self._manifest))
        self._archive.close()


class PartMissing(Exception):
    """Another service did not give its part: the bundle would be incomplete."""


async def gather(
    sources: Mapping[str, str],
    staff_id: UUID,
    authorization: str,
    http: httpx.AsyncClient | None = None,
) -> list[ExportPart]:
    """Every other service's part, asked for with the caller's own token, so each service
    decides for itself what the caller may have; each checked to be that service's part
    about this person."""
    async with http or httpx.AsyncClient(timeout=60.0) as client:

        async def part(service: str, url: str) -> ExportPart:
            try:
                answer = await client.get(
                    f"{url.rstrip('/')}/staff/{staff_id}/export",
                    headers={"Authorization": authorization},
                )
            except httpx.HTTPError as e:
                raise PartMissing(
                    f"the {service} service is not reachable ({type(e).__name__})"
                ) from e
            if not answer.is_success:
                raise PartMissing(f"the {service} service gave no part ({answer.status_code})")
            try:
                got = ExportPart.model_validate_json(answer.content)
            except ValidationError as e:
                raise PartMissing(f"the {service} service's answer is not an export part") from e
            if (got.service, got.staff_id) != (service, staff_id):
                raise PartMissing(f"the {service} service's answer is another part")
            return got

        return list(await asyncio.gather(*(part(s, u) for s, u in sorted(sources.items()))))


def safe_path(name: str) -> str:
    """A name a person gave, as a path inside the zip that cannot climb out of its folder
    when unpacked (no "..", no absolute path, no backslashes)."""
    parts = [
        p.lstrip(".") or "_"
        for p in PurePosixPath(name.replace("\\", "/")).parts
        if p not in ("/", ".", "..")
    ]
    return "/".join(parts) or "file"


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)
