"""When a failed delivery is tried again: exponential backoff with jitter."""

import random
from datetime import timedelta


def next_try(
    attempts: int, base_s: float, cap_s: float, rng: random.Random | None = None
) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: between half and all of
    base·2^(attempts-1), never above cap. The jitter keeps the deliveries that failed
    together from all coming back at once."""
    ceiling = min(cap_s, base_s * 2 ** min(attempts - 1, 40))
    wait = (rng or random).uniform(ceiling / 2, ceiling)
    return timedelta(seconds=wait)
