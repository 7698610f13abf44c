"""AES-256-GCM (from `cryptography`): sealing a text under a staff member's key, and
wrapping that key under the master key. Pure: no I/O."""

import secrets
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.personal import ALGORITHM, Sealed

KEY_BYTES = 32
NONCE_BYTES = 12


class Unreadable(ValueError):
    """The sealed text does not open with this key and these associated data."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=8 * KEY_BYTES)


def associated(event_id: UUID, field: str) -> bytes:
    """What a sealed field is bound to: its event and its name."""
    return event_id.bytes + field.encode()


def seal(key: bytes, subject: UUID, text: str, aad: bytes) -> Sealed:
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, text.encode(), aad)
    return Sealed(sealed=ALGORITHM, subject=subject, nonce=nonce, ciphertext=ciphertext)


def open_sealed(key: bytes, sealed: Sealed, aad: bytes) -> str:
    try:
        return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, aad).decode()
    except (InvalidTag, UnicodeDecodeError) as e:
        raise Unreadable(f"sealed text of {sealed.subject} does not open") from e


def wrap(master: bytes, subject: UUID, key: bytes) -> bytes:
    """The subject's key under the master key, bound to the subject (a wrapped key copied
    to another person's row does not unwrap)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(master).encrypt(nonce, key, subject.bytes)


def unwrap(master: bytes, subject: UUID, wrapped: bytes) -> bytes:
    try:
        return AESGCM(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], subject.bytes)
    except InvalidTag as e:
        raise Unreadable(f"the key of {subject} does not unwrap with this master key") from e
