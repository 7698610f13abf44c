"""Failpoints: places where a fault test may kill this process on purpose.

HUISACADEMIE_FAILPOINTS="relay.after_publish=0.05,consumer.after_commit=0.02" makes the
process kill itself (SIGKILL, as a power cut would) when it passes that point, with that
probability. Unset, as in production, a failpoint is one dictionary lookup.
"""

import os
import random
import signal
import sys

VARIABLE = "HUISACADEMIE_FAILPOINTS"


def _parse(spec: str) -> dict[str, float]:
    points: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, chance = item.partition("=")
        points[name.strip()] = float(chance or 1)
    return points


_ACTIVE = _parse(os.environ.get(VARIABLE, ""))


def failpoint(name: str) -> None:
    chance = _ACTIVE.get(name)
    if chance and random.random() < chance:
        print(f'{{"event": "failpoint_fired", "failpoint": "{name}"}}', flush=True)
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
