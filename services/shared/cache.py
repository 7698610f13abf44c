"""A small in-process cache whose answers expire: what the directory and the key store
reuse between requests and events (each also forgets at once when told of a change)."""

import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Cache(Generic[K, V]):
    def __init__(self, ttl_s: float, limit: int = 50_000) -> None:
        self.ttl_s = ttl_s
        self._limit = limit
        self.entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        found = self.entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: K, value: V) -> V:
        if len(self.entries) > self._limit:
            self.entries.clear()
        self.entries[key] = (time.monotonic() + self.ttl_s, value)
        return value
