"""The cluster's HAProxy configuration (huisacademie up --cluster): one frontend per service on
its usual address, its instances behind it, checked by /health/ready; HAProxy itself says
whether it takes the file."""

import subprocess
from pathlib import Path

import pytest

from huisacademie.stack.layout import StackLayout
from huisacademie.stack.proxy import ensure_haproxy_installed, haproxy_config
from huisacademie.system import DEMO_PORTS, SERVICES, System, demo_system

pytestmark = pytest.mark.unit


def cluster() -> System:
    layout = StackLayout(root=Path("/tmp/huisacademie-cluster-test"), brokers=3)
    return System.on_local_stack(layout, DEMO_PORTS, instances=2)


def test_each_service_has_two_instances_apart_from_every_other_port() -> None:
    system = cluster()
    ports = [port for name in SERVICES for port in system.processes(name).values()]
    assert len(ports) == 2 * len(SERVICES) == len(set(ports))
    taken = {*DEMO_PORTS.values(), system.layout.keycloak_port, system.layout.lrs_port,
             system.layout.receiver_port, system.layout.smtp_port}  # fmt: skip
    assert taken.isdisjoint(ports)
    assert system.processes("portfolio") == {"portfolio-1": 8013, "portfolio-2": 8023}
    assert system.kafka_bootstrap == "127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292"
    assert demo_system().instances in (1, 2)  # whichever shape the checkout's stack has


def test_haproxy_takes_the_configuration(tmp_path: Path) -> None:
    system = cluster()
    fronts = {name: system.ports[name] for name in SERVICES}
    backends = {name: list(system.processes(name).values()) for name in SERVICES}
    text = haproxy_config(fronts, backends)
    assert text.count("option httpchk GET /health/ready") == len(SERVICES)
    assert "server portfolio-2 127.0.0.1:8023 check" in text
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    checked = subprocess.run(
        [str(ensure_haproxy_installed()), "-c", "-f", str(config)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config.write_text(text.replace("balance leastconn", "balance fastest"))
    refused = subprocess.run(
        [str(ensure_haproxy_installed()), "-c", "-f", str(config)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode != 0
