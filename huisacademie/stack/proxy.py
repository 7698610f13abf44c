"""HAProxy (Debian's package) in front of a cluster's instances: one address per service.

An instance takes traffic while its `/health/ready` answers 200, which asks only what serving
requests needs (its database): a rebalance or a broker outage takes no instance out."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from huisacademie.stack.layout import StackError, StackLayout
from huisacademie.stack.processes import process_status, start_process, stop_process

PROXY_PROCESS = "haproxy"


def ensure_haproxy_installed() -> Path:
    """HAProxy's binary; installs Debian's package as root when it is missing."""
    for found in (shutil.which("haproxy"), "/usr/sbin/haproxy"):
        if found is not None and Path(found).is_file():
            return Path(found)
    if os.geteuid() != 0 or not Path("/etc/debian_version").exists():
        raise StackError("HAProxy not found: install the Debian package 'haproxy'")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "haproxy"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise StackError(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr}")
    if Path("/usr/sbin/haproxy").is_file():
        return Path("/usr/sbin/haproxy")
    raise StackError("installed 'haproxy' but found no /usr/sbin/haproxy")


def haproxy_config(fronts: Mapping[str, int], backends: Mapping[str, Sequence[int]]) -> str:
    """One frontend per service on its address, balancing over its instances' ports; an
    instance is checked every second and leaves after two failed checks."""
    lines = [
        "global",
        "    maxconn 4096",
        "defaults",
        "    mode http",
        "    option forwardfor",
        "    option redispatch",
        "    retries 2",
        "    timeout connect 2s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout http-keep-alive 10s",
        "    timeout check 3s",
    ]
    for service, port in fronts.items():
        lines += [
            f"frontend {service}",
            f"    bind 127.0.0.1:{port}",
            f"    default_backend {service}",
            f"backend {service}",
            "    balance leastconn",
            "    option httpchk GET /health/ready",
            "    http-check expect status 200",
        ]
        lines += [
            f"    server {service}-{i} 127.0.0.1:{p} check inter 1s fall 2 rise 1"
            for i, p in enumerate(backends[service], start=1)
        ]
    return "\n".join(lines) + "\n"


def start_proxy(
    layout: StackLayout, fronts: Mapping[str, int], backends: Mapping[str, Sequence[int]]
) -> int:
    """Start HAProxy in the foreground of its own process, unless it runs; its pid."""
    running = process_status(PROXY_PROCESS, layout)
    if running is not None:
        return running
    binary = ensure_haproxy_installed()
    config = layout.root / "haproxy" / "haproxy.cfg"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(haproxy_config(fronts, backends))
    checked = subprocess.run(
        [str(binary), "-c", "-q", "-f", str(config)], capture_output=True, text=True, check=False
    )
    if checked.returncode != 0:
        raise StackError(f"HAProxy refused {config}:\n{checked.stdout}{checked.stderr}")
    return start_process(PROXY_PROCESS, [str(binary), "-db", "-f", str(config)], layout)


def stop_proxy(layout: StackLayout) -> None:
    stop_process(PROXY_PROCESS, layout)
