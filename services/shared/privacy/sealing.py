"""Sealing the `personal` fields of events as they leave a service (the outbox), and
opening them where a service reads them (its consumers). A field whose person was erased
reads as "" on both sides: never a reason to refuse or dead-letter an event."""

import dataclasses
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from contracts import Envelope, Event
from contracts.personal import Sealed
from services.shared.logging import get_logger
from services.shared.privacy import crypto
from services.shared.privacy.keys import KeyStore, KeyStoreUnavailable

log = get_logger(__name__)


class ClearTextRefused(RuntimeError):
    """An event would leave a service with what someone wrote in clear: no key store is
    configured (KEYSTORE_DATABASE_URL, KEYSTORE_MASTER_KEY)."""


def personal(event: Event) -> dict[str, object]:
    """The event's personal fields by name: "reason", or "goals.0.title" for each item of
    a field declared as "goals[].title". The name is bound into the sealed text."""
    found: dict[str, object] = {}
    for declared in event.personal:
        items, nested, field = declared.partition("[].")
        if not nested:
            found[declared] = getattr(event, declared)
            continue
        for i, item in enumerate(getattr(event, items) or ()):
            found[f"{items}.{i}.{field}"] = getattr(item, field)
    return found


def written(event: Event) -> dict[str, str]:
    """The event's personal fields that hold text in clear."""
    return {
        name: str(value)
        for name, value in personal(event).items()
        if value not in (None, "") and not isinstance(value, Sealed)
    }


def sealed(event: Event) -> dict[str, Sealed]:
    """The event's personal fields that are sealed."""
    return {name: v for name, v in personal(event).items() if isinstance(v, Sealed)}


def _replaced(event: Event, values: dict[str, Any]) -> Event:
    """The event with these personal fields (named as `personal` names them) replaced."""
    update = {name: v for name, v in values.items() if "." not in name}
    nested: dict[str, dict[int, dict[str, Any]]] = {}
    for name, value in values.items():
        if "." in name:
            items, position, field = name.split(".", 2)
            nested.setdefault(items, {}).setdefault(int(position), {})[field] = value
    for items, changes in nested.items():
        listed = list(getattr(event, items))
        for i, fields in changes.items():
            listed[i] = listed[i].model_copy(update=fields)
        update[items] = tuple(listed)
    return event.model_copy(update=update)


def refuse_clear_text(envelopes: Sequence[Envelope[Event]]) -> None:
    if carrying := [e.type for e in envelopes if written(e.data)]:
        raise ClearTextRefused(f"{', '.join(sorted(set(carrying)))} would leave in clear")


class Sealer:
    """Seals and opens through the key store."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    async def seal(self, envelopes: Sequence[Envelope[Event]]) -> list[Envelope[Event]]:
        """The envelopes as they leave: each personal text sealed with the key of the
        event's data subject, bound to the event's id and the field's name."""
        subjects = {_subject(e.data) for e in envelopes if written(e.data)}
        if not subjects:
            return list(envelopes)
        keys = await self.keys.keys(subjects, make=True)
        out = []
        for envelope in envelopes:
            texts = written(envelope.data)
            if not texts:
                out.append(envelope)
                continue
            subject = _subject(envelope.data)
            key = keys.found.get(subject)
            update: dict[str, Any] = {
                name: _sealed(key, subject, text, crypto.associated(envelope.id, name))
                for name, text in texts.items()
            }
            out.append(dataclasses.replace(envelope, data=_replaced(envelope.data, update)))
        return out

    async def open(self, envelopes: Sequence[Envelope[Event]]) -> list[Envelope[Event]]:
        """The envelopes with their sealed texts opened; where the key is gone (the person
        was erased) or the text does not open, it reads as ""."""
        subjects = {s.subject for e in envelopes for s in sealed(e.data).values()}
        if not subjects:
            return list(envelopes)
        keys = await self.keys.keys(subjects, make=False)
        if keys.missing:
            # Every key is made before anything is sealed with it: this is not the store.
            raise KeyStoreUnavailable(f"the key store has no key of {sorted(keys.missing)}")
        out = []
        for envelope in envelopes:
            texts = sealed(envelope.data)
            if not texts:
                out.append(envelope)
                continue
            subject = envelope.data.data_subject()
            update = {
                name: _opened(keys.found.get(text.subject), text, envelope.id, name)
                if text.subject == subject
                else _unreadable(envelope.id, name, f"sealed for {text.subject}, not {subject}")
                for name, text in texts.items()
            }
            opened = _replaced(envelope.data, update)
            out.append(dataclasses.replace(envelope, data=opened, raw=None))
        return out


def _subject(event: Event) -> UUID:
    subject = event.data_subject()
    if subject is None:
        raise TypeError(f"{type(event).__name__} has personal fields and no data subject")
    return subject


def _sealed(key: bytes | None, subject: UUID, text: str, aad: bytes) -> Sealed:
    if key is None:
        # The person was erased: nothing of the text is kept, and the field still has the
        # shape every reader expects (under a key nobody holds, it reads as erased).
        return crypto.seal(crypto.new_key(), subject, "", aad)
    return crypto.seal(key, subject, text, aad)


def _opened(key: bytes | None, text: Sealed, event_id: UUID, name: str) -> str:
    if key is None:
        return ""  # erased
    try:
        return crypto.open_sealed(key, text, crypto.associated(event_id, name))
    except crypto.Unreadable:
        return _unreadable(event_id, name, "it does not open with its person's key")


def _unreadable(event_id: UUID, name: str, why: str) -> str:
    """Tampered with or moved: read as erased, never a reason to refuse the event."""
    log.warning("sealed_text_unreadable", event_id=str(event_id), field=name, why=why)
    return ""
