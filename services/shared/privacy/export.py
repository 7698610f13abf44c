"""A person's data export (GDPR articles 15 and 20): what one service holds about them, as
JSON with the files it keeps (an ExportPart, from every service's GET
/staff/{staff_id}/export), and the bundle that puts every service's part in one zip."""

import asyncio
import base64
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from uuid import UUID

import httpx
from pydantic import BaseModel, Field, ValidationError

ABOUT = (
    "Everything huisacademie holds about one staff member, as each service keeps it:"
    " <service>.json for each service, and under files/ the files they uploaded."
    " Text others wrote about the person (a school leader's notes) is included; what the"
    " person wrote about someone else is that other person's, and is not."
)


class ExportFile(BaseModel):
    name: str = Field(description="Its name in the bundle, under files/<service>/.")
    media_type: str
    content_base64: str

    @classmethod
    def of(cls, name: str, media_type: str, content: bytes) -> "ExportFile":
        return cls(
            name=name, media_type=media_type, content_base64=base64.b64encode(content).decode()
        )


class ExportPart(BaseModel):
    """What one service holds about one person."""

    service: str
    staff_id: UUID
    exported_at: datetime
    data: dict[str, Any] = Field(description="Each kind of record the service keeps, by name.")
    files: list[ExportFile] = Field(default_factory=list)

    @classmethod
    def now(
        cls,
        service: str,
        staff_id: UUID,
        data: dict[str, Any],
        files: Sequence[ExportFile] = (),
    ) -> "ExportPart":
        return cls(
            service=service,
            staff_id=staff_id,
            exported_at=datetime.now(UTC),
            data=data,
            files=list(files),
        )


def bundle(staff_id: UUID, exported_at: datetime, parts: Sequence[ExportPart]) -> bytes:
    """One zip: manifest.json (what is where), <service>.json per part, files/<service>/…"""
    out = io.BytesIO()
    manifest: dict[str, Any] = {
        "staff_id": str(staff_id),
        "exported_at": exported_at.isoformat(),
        "about": ABOUT,
        "parts": [],
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            files = []
            for f in part.files:
                path = f"files/{part.service}/{safe_path(f.name)}"
                archive.writestr(path, base64.b64decode(f.content_base64))
                files.append({"path": path, "media_type": f.media_type})
            # As JSON has it: sets as lists, ids and dates as text, enumerations as values.
            dumped = part.model_dump(mode="json", exclude={"files"})
            document = {**{k: v for k, v in dumped.items() if k != "data"}, **dumped["data"]}
            archive.writestr(f"{part.service}.json", _json(document))
            manifest["parts"].append(
                {"service": part.service, "data": f"{part.service}.json", "files": files}
            )
        archive.writestr("manifest.json", _json(manifest))
    return out.getvalue()


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
