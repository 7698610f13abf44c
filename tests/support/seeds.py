"""Seeds for the tests' randomness: taken from HUISACADEMIE_SEED when set, else drawn, and
always printed, so that a failing run can be replayed exactly."""

import os
import random
import zlib

VARIABLE = "HUISACADEMIE_SEED"


def _base() -> int:
    given = os.environ.get(VARIABLE)
    return int(given) if given else random.SystemRandom().randrange(2**32)


BASE = _base()


def seeded(purpose: str) -> random.Random:
    """A generator of its own for one purpose, derived from the run's seed."""
    seed = BASE ^ zlib.crc32(purpose.encode())
    print(f"[seed] {purpose}: {VARIABLE}={BASE} (derived {seed})", flush=True)
    return random.Random(seed)
