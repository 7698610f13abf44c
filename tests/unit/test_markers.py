"""Every module in tests/unit is marked unit as a whole: `make unit` runs `pytest -m unit`,
which selects by the mark, so the tests of an unmarked module would silently not run."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

UNIT = Path(__file__).parent


def test_every_unit_test_module_is_marked_unit() -> None:
    modules = sorted(UNIT.glob("test_*.py"))
    assert len(modules) > 30  # the glob found the modules
    unmarked = [p.name for p in modules if "\npytestmark = pytest.mark.unit\n" not in p.read_text()]
    assert unmarked == []
