"""Passwords the local stacks make once per checkout and keep for their owner only."""

import fcntl
import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from huisacademie.stack.layout import repo_root


def access_directory(name: str) -> Path:
    """``.local/<name>``, readable by its owner only, shared by the checkout's stacks."""
    directory = repo_root() / ".local" / name
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    return directory


def ensure_passwords(directory: Path, names: Iterable[str], nbytes: int = 24) -> dict[str, str]:
    """``passwords.json`` in `directory`, with a password for each name (made when missing,
    of `nbytes` random bytes, URL-safe base64)."""
    path = directory / "passwords.json"
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        known: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}
        missing = [name for name in names if name not in known]
        if missing:
            known.update({name: secrets.token_urlsafe(nbytes) for name in missing})
            written = path.with_suffix(".new")  # then renamed: never a half-written file
            fd = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(known, out)
            written.replace(path)
    return known


def web_session_key() -> str:
    """The local stacks' key that seals the tokens kept with the web application's sessions
    (32 bytes, URL-safe base64)."""
    return ensure_passwords(access_directory("web-access"), ("session",), nbytes=32)["session"]


def keystore_master_key() -> str:
    """The local stacks' master key of the key store (32 bytes, URL-safe base64); a real
    deployment holds its own in a KMS."""
    return ensure_passwords(access_directory("keystore-access"), ("master",), nbytes=32)["master"]
