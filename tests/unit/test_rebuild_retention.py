"""A retired portfolio database (everything the portfolio held, in clear) is kept a week
after a rebuild to go back to, then dropped by the next rebuild (huisacademie/rebuild.py)."""

from datetime import datetime

import pytest

from huisacademie.rebuild import RETIRED_KEPT, expired

pytestmark = pytest.mark.unit


def test_retired_databases_older_than_a_week_expire_and_nothing_else_does() -> None:
    now = datetime(2026, 12, 1, 12, 0, 0)
    names = [
        "portfolio",
        "portfolio_retired_20261124115959",  # a week and a second
        "portfolio_retired_20261124120001",  # just under a week
        "portfolio_retired_20261201110000",  # an hour
        "portfolio_rebuild_20261101000000",  # a rebuild under way is not retired
        "other_retired_20200101000000",  # another database's
        "portfolio_retired_not-a-date",
    ]
    assert RETIRED_KEPT.days == 7
    assert expired(names, "portfolio", now) == ["portfolio_retired_20261124115959"]
