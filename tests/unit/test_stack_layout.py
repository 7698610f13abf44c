from pathlib import Path

import pytest

from huisacademie.stack import StackLayout, demo_layout, repo_root, test_layout

pytestmark = pytest.mark.unit


def test_urls_follow_the_ports() -> None:
    layout = StackLayout(root=Path("/tmp/x"), kafka_port=1234, pg_port=4321)
    assert layout.kafka_bootstrap == "127.0.0.1:1234"
    assert layout.logs_dir == Path("/tmp/x/logs")
    assert layout.run_dir == Path("/tmp/x/run")


def test_test_layout_does_not_collide_with_demo_layout() -> None:
    demo, test = demo_layout(), test_layout()
    assert (demo.kafka_port, demo.controller_port, demo.pg_port) == (9092, 9093, 5433)
    assert (test.kafka_port, test.controller_port, test.pg_port) == (19092, 19093, 15433)
    assert (demo.keycloak_port, test.keycloak_port) == (8090, 18090)
    assert demo.root == repo_root() / ".local"
    assert test.root == repo_root() / ".local" / "test"
    assert (repo_root() / "pyproject.toml").is_file()
