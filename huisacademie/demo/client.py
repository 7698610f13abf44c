"""A small HTTP client for the demo, and waiting for eventual consistency."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import jwt

from huisacademie import identity
from huisacademie.oidc import Keycloak


@dataclass(frozen=True)
class Endpoints:
    catalogue: str = "http://127.0.0.1:8001"
    enrollment: str = "http://127.0.0.1:8002"
    portfolio: str = "http://127.0.0.1:8003"
    subscriptions: str = "http://127.0.0.1:8004"
    web: str = "http://127.0.0.1:8000"


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


@dataclass
class SignIn:
    """How the demo's people sign in: the stack's identity provider, and the directory in
    which the board's administrator places them."""

    keycloak_url: str
    directory_url: str
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def token(self, who: str) -> str:
        """A token for a demo person (by username) or client, signed in again near expiry."""
        held = self._tokens.get(who)
        if held is None or held[1] < time.time() + 60:
            with Keycloak(self.keycloak_url) as keycloak:
                token = identity.token(keycloak, who)
            expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
            self._tokens[who] = held = (token, expires)
        return held[0]

    def grant_academy(self, username: str, academy_id: str) -> None:
        asyncio.run(identity.grant_academy(self.directory_url, username, UUID(academy_id)))

    def place(self, staff_id: str, name: str, school: str) -> None:
        asyncio.run(identity.place(self.directory_url, UUID(staff_id), name, school))


class Client:
    """Calls the three services as one of the demo's people; any error status stops the
    demo with what went wrong."""

    def __init__(self, http: httpx.Client, endpoints: Endpoints, sign_in: SignIn) -> None:
        self.http = http
        self.sign_in = sign_in
        self.cat, self.enr, self.por = (
            endpoints.catalogue,
            endpoints.enrollment,
            endpoints.portfolio,
        )
        self.web = endpoints.web
        self.sub = endpoints.subscriptions

    def __call__(
        self, method: str, url: str, body: dict[str, Any] | None = None, *, by: str
    ) -> Any:
        return self.raw(method, url, body, by=by).json()

    def raw(
        self, method: str, url: str, body: dict[str, Any] | None = None, *, by: str
    ) -> httpx.Response:
        response = self.http.request(method, url, json=body, headers=self._headers(by))
        if response.is_error:
            raise DemoFailed(f"{method} {url} by {by}: {response.status_code} {response.text}")
        return response

    def raw_status(self, method: str, url: str, *, by: str) -> int:
        """The status alone, error or not."""
        return self.http.request(method, url, headers=self._headers(by)).status_code

    def _headers(self, by: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.sign_in.token(by)}"}

    def known_to_enrollment(self, offering_id: str) -> bool:
        url = f"{self.enr}/offerings/{offering_id}"
        return self.raw_status("GET", url, by="bram") == 200
