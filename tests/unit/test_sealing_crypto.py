"""AES-256-GCM as huisacademie uses it: a text sealed under a person's key opens only with
that key, in the event and field it was sealed for; a wrapped key unwraps only for its
person (services/shared/privacy/crypto.py)."""

from uuid import uuid4

import pytest

from services.shared.privacy import crypto

pytestmark = pytest.mark.unit


def test_a_sealed_text_opens_with_its_key_in_its_event_and_field_only() -> None:
    key, subject, event = crypto.new_key(), uuid4(), uuid4()
    sealed = crypto.seal(
        key, subject, "Ik leerde veel over spelling", crypto.associated(event, "text")
    )

    assert b"spelling" not in sealed.ciphertext and sealed.subject == subject
    assert crypto.open_sealed(key, sealed, crypto.associated(event, "text")) == (
        "Ik leerde veel over spelling"
    )
    for wrong_key, aad in [
        (crypto.new_key(), crypto.associated(event, "text")),  # another person's key
        (key, crypto.associated(uuid4(), "text")),  # moved to another event
        (key, crypto.associated(event, "reason")),  # moved to another field
    ]:
        with pytest.raises(crypto.Unreadable):
            crypto.open_sealed(wrong_key, sealed, aad)


def test_each_sealing_has_its_own_nonce() -> None:
    key, subject, aad = crypto.new_key(), uuid4(), crypto.associated(uuid4(), "text")
    first, second = (crypto.seal(key, subject, "same", aad) for _ in range(2))
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext


def test_a_wrapped_key_unwraps_for_its_person_only() -> None:
    master, key, subject = crypto.new_key(), crypto.new_key(), uuid4()
    wrapped = crypto.wrap(master, subject, key)

    assert key not in wrapped
    assert crypto.unwrap(master, subject, wrapped) == key
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(master, uuid4(), wrapped)  # copied to another person's row
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(crypto.new_key(), subject, wrapped)  # another master key
