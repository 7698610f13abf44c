"""docs/subscribing.md shows the receiver example as the tests and the demo run it."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_guide_holds_the_receiver_example_word_for_word() -> None:
    guide = (DOCS / "subscribing.md").read_text()
    example = (DOCS / "examples" / "webhook_receiver.py").read_text()
    assert f"```python\n{example}```" in guide
