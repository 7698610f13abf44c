"""The three services, called with the signed-in person's own token: each service's
policy decides, exactly as for any other client; a refusal comes back as an exception the
pages show."""

from typing import Any

import httpx
from fastapi import Request

from services.shared import telemetry
from services.web.auth import SignInNeeded, Visitor
from services.web.config import config


class Refused(Exception):
    """A service said no (4xx): its status and its reason, for the page."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail

    @property
    def reason(self) -> str:
        if isinstance(self.detail, list):  # FastAPI's invalid fields
            return "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', '')}"
                for e in self.detail
                if isinstance(e, dict)
            )
        return str(self.detail)


class Unavailable(Exception):
    """A service did not answer, or failed (5xx)."""


class Apis:
    """The services' HTTP APIs, as one visitor."""

    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str], visitor: Visitor) -> None:
        self.http = http
        self.urls = urls
        self.visitor = visitor

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"Authorization": f"Bearer {self.visitor.token}", **(headers or {})}
        query = {k: v for k, v in (params or {}).items() if v not in (None, "", [])}
        try:
            response = await self.http.request(
                method, self.urls[service] + path, json=body, params=query, headers=sent
            )
        except httpx.HTTPError as e:
            raise Unavailable(f"{service}: {type(e).__name__}") from e
        if response.status_code == 401:
            raise SignInNeeded("/")
        if 400 <= response.status_code < 500:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise Refused(response.status_code, detail)
        if response.status_code >= 500:
            raise Unavailable(f"{service}: {response.status_code}")
        return response

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return (await self.call("GET", service, path, params=params)).json()

    async def post(self, service: str, path: str, body: Any = None, **kw: Any) -> Any:
        response = await self.call("POST", service, path, body if body is not None else {}, **kw)
        return response.json() if response.content else None

    async def put(self, service: str, path: str, body: Any) -> Any:
        return (await self.call("PUT", service, path, body)).json()

    async def patch(self, service: str, path: str, body: Any) -> Any:
        return (await self.call("PATCH", service, path, body)).json()


def http_client(request: Request) -> httpx.AsyncClient:
    found: httpx.AsyncClient | None = getattr(request.app.state, "web_http", None)
    if found is None:
        found = request.app.state.web_http = httpx.AsyncClient(
            timeout=15.0, event_hooks={"request": [telemetry.propagate]}
        )
    return found


def apis_for(request: Request, visitor: Visitor) -> Apis:
    return Apis(http_client(request), config().apis, visitor)
