"""`huisacademie portfolio rebuild`, with a progress bar."""

import os
import sys
from collections.abc import Mapping

import uvloop

from services.portfolio.app import PortfolioSettings
from services.portfolio.rebuild import rebuild
from services.shared.logging import configure_logging


def _bar(done: int, total: int) -> None:
    share = done / total if total else 1.0
    filled = round(30 * share)
    sys.stderr.write(
        f"\rrebuilding [{'#' * filled}{'.' * (30 - filled)}] {share:6.1%} ({done}/{total} events)"
    )
    sys.stderr.flush()


def rebuild_portfolio(env: Mapping[str, str]) -> None:
    """Rebuilds against the servers the environment names (the local stack's by default)."""
    os.environ.update({k: v for k, v in env.items() if k not in os.environ})
    settings = PortfolioSettings()
    configure_logging("warning", settings.log_json)  # the progress bar says how it goes
    done = uvloop.run(rebuild(settings, _bar))
    sys.stderr.write("\n")
    print(
        f"rebuilt {done.database} from {done.events} events; the old one is kept as {done.retired}"
    )
