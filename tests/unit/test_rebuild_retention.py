"""A retired portfolio database (everything the portfolio held, in clear) is kept a week
after a rebuild to go back to, then dropped by the next rebuild (huisacademie/rebuild.py);
dead letters are kept 30 days; both can be set shorter."""

from datetime import datetime, timedelta

import pytest

from huisacademie.rebuild import RETIRED_KEPT, expired
from huisacademie.stack import StackError
from huisacademie.stack.topics import dead_letter_retention

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


def test_a_board_may_keep_retired_databases_shorter() -> None:
    now = datetime(2026, 12, 1, 12, 0, 0)
    names = ["portfolio_retired_20261201110000", "portfolio_retired_20261130110000"]
    assert expired(names, "portfolio", now, timedelta(days=1)) == [names[1]]
    assert expired(names, "portfolio", now, timedelta(0)) == names


def test_dead_letters_are_kept_thirty_days_unless_configured() -> None:
    assert dead_letter_retention({}) == timedelta(days=30)
    assert dead_letter_retention({"DEAD_LETTER_RETENTION_DAYS": "7"}) == timedelta(days=7)
    for wrong in ("0", "-1", "seven", "99999"):
        with pytest.raises(StackError, match="DEAD_LETTER_RETENTION_DAYS"):
            dead_letter_retention({"DEAD_LETTER_RETENTION_DAYS": wrong})
