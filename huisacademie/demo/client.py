"""A small HTTP client for the demo, and waiting for eventual consistency."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Endpoints:
    catalogue: str = "http://127.0.0.1:8001"
    enrollment: str = "http://127.0.0.1:8002"
    portfolio: str = "http://127.0.0.1:8003"


class DemoFailed(RuntimeError):
    pass


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll until probe returns something truthy: the services are eventually consistent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.1)
    raise DemoFailed(f"timed out after {timeout:.0f} s waiting for {what}")


class Client:
    """Calls the three services; any error status stops the demo with what went wrong."""

    def __init__(self, http: httpx.Client, endpoints: Endpoints) -> None:
        self.http = http
        self.cat, self.enr, self.por = (
            endpoints.catalogue,
            endpoints.enrollment,
            endpoints.portfolio,
        )

    def __call__(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, url, json=body)
        if response.is_error:
            raise DemoFailed(f"{method} {url}: {response.status_code} {response.text}")
        return response.json()

    def known_to_enrollment(self, offering_id: str) -> bool:
        return self.http.get(f"{self.enr}/offerings/{offering_id}").status_code == 200
