"""One delivery over HTTP: to a webhook, the event as a signed CloudEvents document; to a
learning record store, its xAPI statements. The address is resolved and checked at every
delivery and the request goes to the address checked (no second lookup to rebind), with
no redirect followed, the whole delivery bounded by the timeout, and the answer's body
never read (its status is all a delivery needs)."""

import asyncio
import json
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import SplitResult
from uuid import UUID

import httpx
from standardwebhooks.webhooks import Webhook

from contracts.registry import event_type_for
from services.shared.identity.directory import Directory
from services.subscriptions.domain import statements as xapi
from services.subscriptions.domain.addresses import (
    Network,
    Refused,
    checked_url,
    plain_http_refusal,
    refusal,
)
from services.subscriptions.domain.documents import CONTENT_TYPE, cloudevent
from services.subscriptions.domain.wanted import Format
from services.subscriptions.store.deliveries import Due

USER_AGENT = "huisacademie-webhooks/1"
RESOLVE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str | None
    duration_ms: float

    @property
    def delivered(self) -> bool:
        return self.error is None


@dataclass
class Sender:
    directory: Directory
    allowed: Sequence[Network]
    public_url: str
    timeout_s: float
    _clients: dict[tuple[str, str, int], httpx.AsyncClient] = field(default_factory=dict)
    """One connection pool per scheme, host name and port: a connection made for one host
    (its TLS name checked) never carries another's requests, even at the same address."""

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def send(self, due: Due) -> Answer:
        began = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout_s):
                if due.format is Format.WEBHOOK:
                    status = await self._webhook(due)
                else:
                    status = await self._statements(due)
        except Refused as e:
            return Answer(None, str(e), _ms(began))
        except (TimeoutError, httpx.TimeoutException):
            return Answer(None, f"no answer within {self.timeout_s:g} s", _ms(began))
        except httpx.HTTPError as e:
            return Answer(None, f"could not deliver: {type(e).__name__}", _ms(began))
        if 200 <= status < 300:
            return Answer(status, None, _ms(began))
        return Answer(status, f"answered HTTP {status}", _ms(began))

    async def _webhook(self, due: Due) -> int:
        body = cloudevent(due.event)
        msg_id, at = str(due.event.event_id), datetime.now(UTC)
        headers = {
            "content-type": CONTENT_TYPE,
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": " ".join(Webhook(s).sign(msg_id, at, body) for s in due.secrets),
        }
        return await self._request("POST", checked_url(due.url), body, headers)

    async def _statements(self, due: Due) -> int:
        """Each statement PUT by its id: the LRS keeps the first (204) and answers 409 to
        a second with that id, which counts as delivered too (it was already there)."""
        made = await self._made(due)
        auth = httpx.BasicAuth(*due.lrs) if due.lrs else None
        endpoint = checked_url(due.url)
        statements = endpoint._replace(path=endpoint.path.rstrip("/") + "/statements")
        status = 204
        for statement in made:
            query = httpx.QueryParams(endpoint.query).set("statementId", statement["id"])
            headers = {"content-type": "application/json", "x-experience-api-version": xapi.VERSION}
            body = json.dumps(statement, ensure_ascii=False).encode()
            at = statements._replace(query=str(query))
            status = await self._request("PUT", at, body, headers, auth)
            if status == 409:
                status = 204
            elif not 200 <= status < 300:
                return status
        return status

    async def _made(self, due: Due) -> list[xapi.Statement]:
        event = due.event
        if due.voids and event.staff_id is not None:
            ids = [xapi.statement_id(voided, event.staff_id) for voided in due.voids]
            return xapi.voiding(event.event_id, event.time, ids, self.public_url)
        data = event_type_for(event.type).model_validate_json(event.data)
        accounts = {who: await self._account(who) for who in xapi.about(data)}
        made = xapi.statements(
            event.event_id, event.time, data, accounts.__getitem__, self.public_url
        )
        # none about someone erased since (an auditor of an audit that names them, say)
        gone = {str(xapi.statement_id(event.event_id, who)) for who in due.erased}
        return [s for s in made if s["id"] not in gone]

    async def _account(self, staff_id: UUID) -> xapi.Account:
        """The person's account on their board's identity provider; where the directory
        knows none (never bound, or erased), huisacademie's own pseudonymous id for them."""
        for issuer, subject in await self.directory.sign_ins(staff_id):
            return xapi.Account(issuer, subject)
        return xapi.Account(self.public_url.rstrip("/"), str(staff_id))

    async def _request(
        self,
        method: str,
        parts: SplitResult,
        body: bytes,
        headers: dict[str, str],
        auth: httpx.Auth | None = None,
    ) -> int:
        address = await checked_address(parts, self.allowed)
        host, port = _host(parts), parts.port or _default_port(parts)
        literal = f"[{address}]" if ":" in address else address
        pinned = parts._replace(netloc=f"{literal}:{port}").geturl()
        netloc = host if parts.port is None else f"{host}:{port}"
        headers = {**headers, "host": netloc, "user-agent": USER_AGENT}
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        client = self._client(parts.scheme, host, port)
        request = client.build_request(
            method, pinned, content=body, headers=headers, extensions=extensions
        )
        response = await client.send(request, auth=auth, stream=True, follow_redirects=False)
        await response.aclose()  # the status is the answer; a body is never read
        return response.status_code

    def _client(self, scheme: str, host: str, port: int) -> httpx.AsyncClient:
        key = (scheme, host, port)
        if key not in self._clients:
            limits = httpx.Limits(max_connections=16, max_keepalive_connections=4)
            self._clients[key] = httpx.AsyncClient(limits=limits, trust_env=False)
        return self._clients[key]


async def checked_address(parts: SplitResult, allowed: Sequence[Network]) -> str:
    """The address to deliver to: every address the host resolves to must be allowed (else
    Refused, saying why); the request then goes to the first, as checked."""
    host = _host(parts)
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            found = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or _default_port(parts), type=socket.SOCK_STREAM
            )
    except (socket.gaierror, TimeoutError):
        raise Refused(f"{parts.hostname} does not resolve") from None
    addresses = sorted({str(info[4][0]) for info in found})
    for address in addresses:
        if why := refusal(address, allowed):
            raise Refused(why)
    if why := plain_http_refusal(parts, addresses, allowed):
        raise Refused(why)
    return addresses[0]


def _host(parts: SplitResult) -> str:
    """The host name as DNS and the Host header take it (an international name in IDNA)."""
    assert parts.hostname is not None
    try:
        return parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused(f"{parts.hostname!r} is not a host name") from None


def _default_port(parts: SplitResult) -> int:
    return 443 if parts.scheme == "https" else 80


def _ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000
