"""What an evidence file may be: a document or an image of the kinds a dossier holds, whose
content is what its declared media type says (checked by its magic bytes with puremagic),
so that a file served back to a leader's browser is never something else in disguise."""

import puremagic

from services.shared.errors import CommandRejected

ALLOWED = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "text/plain",
    }
)
"""Documents and images; no HTML, SVG or scripts (served back, they could run)."""


def check_file(media_type: str, content: bytes) -> None:
    """Refuse a media type outside the allowlist, or content that is not of that type."""
    media_type = media_type.lower()
    if media_type not in ALLOWED:
        accepted = ", ".join(sorted(ALLOWED))
        raise CommandRejected(
            f"file.media_type: {media_type} is not accepted; use one of {accepted}"
        )
    if media_type == "text/plain":
        if b"\0" in content or not _utf8(content):
            raise CommandRejected("file: declared text/plain, but it is not UTF-8 text")
        return
    try:
        found = {m.mime_type.lower() for m in puremagic.magic_string(content)}
    except (puremagic.PureError, ValueError):
        found = set()
    if media_type not in found:
        raise CommandRejected(f"file: declared {media_type}, but its content is not")


def _utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
