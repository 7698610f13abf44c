"""Signing in with OpenID Connect (authorization code with PKCE, as a confidential client),
the session it opens (a row in PostgreSQL, found by a cookie), and who visits a page."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request

from services.shared.identity.access import Principal
from services.shared.identity.http import Gate
from services.shared.identity.tokens import InvalidToken, IssuerUnavailable
from services.shared.runtime import Runtime
from services.web.config import WebConfig, config
from services.web.store import SessionRow, Store

COOKIE = "__Host-huisacademie"
"""__Host-: sent only to this host over a secure connection, for every path, never set
by a subdomain."""
SIGN_IN_COOKIE = "__Host-huisacademie-aanmelden"
"""Binds a sign-in under way to the browser that began it, for ten minutes."""
RENEW_BEFORE_S = 30


class SignInNeeded(Exception):
    """No session (or it ended): the visitor signs in, then comes back to `return_to`."""

    def __init__(self, return_to: str) -> None:
        super().__init__(return_to)
        self.return_to = return_to


class SignInFailed(Exception):
    """The identity provider's answer could not be used: a page says why."""


class SignInEnded(SignInFailed):
    """The provider no longer honours the session's grant (`invalid_grant`): sign in again."""


class ProviderUnavailable(Exception):
    """The identity provider did not answer, or failed: the session is kept, a page says
    to try again in a moment (503)."""


@dataclass(frozen=True)
class Visitor:
    """The signed-in person on one request: who they are in the directory, their access
    token for the services, and the CSRF token their forms carry."""

    principal: Principal
    token: str
    csrf: str
    session: bytes

    @property
    def staff_id(self) -> Any:
        return self.principal.staff_id


def hashed(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def safe_return(path: str | None) -> str:
    """Only a path on this site: never another site (an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


class Provider:
    """The identity provider's endpoints (from its discovery document) and this client."""

    def __init__(self, settings: WebConfig, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http
        self._discovery: dict[str, Any] | None = None

    async def endpoint(self, name: str) -> str:
        if self._discovery is None:
            url = self.settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                response = await self.http.get(url)
                response.raise_for_status()
            except httpx.HTTPError as e:
                raise ProviderUnavailable(f"discovery: {type(e).__name__}") from e
            self._discovery = response.json()
        return str(self._discovery[name])

    @property
    def redirect_uri(self) -> str:
        return self.settings.public_url.rstrip("/") + "/auth/callback"

    async def authorization_url(self, state: str, verifier: str, nonce: str) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
        }
        return f"{await self.endpoint('authorization_endpoint')}?{urlencode(query)}"

    async def _token(self, form: dict[str, str]) -> dict[str, Any]:
        form = {
            **form,
            "client_id": self.settings.oidc_client_id,
            "client_secret": self.settings.oidc_client_secret.get_secret_value(),
        }
        try:
            response = await self.http.post(await self.endpoint("token_endpoint"), data=form)
        except httpx.HTTPError as e:
            raise ProviderUnavailable(f"token endpoint: {type(e).__name__}") from e
        if response.status_code == 400 and _error(response) == "invalid_grant":
            raise SignInEnded("the identity provider no longer honours this sign-in")
        if response.status_code != 200:
            raise ProviderUnavailable(f"the identity provider answered {response.status_code}")
        tokens: dict[str, Any] = response.json()
        return tokens

    async def exchange(self, code: str, verifier: str) -> dict[str, Any]:
        return await self._token({
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": self.redirect_uri, "code_verifier": verifier,
        })  # fmt: skip

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def end_session_url(self, id_token: str) -> str:
        """Where the browser ends its sign-in at the provider (RP-initiated logout); without
        an ID token the provider asks the person to confirm."""
        query = {
            "client_id": self.settings.oidc_client_id,
            "post_logout_redirect_uri": self.settings.public_url.rstrip("/") + "/afgemeld",
        }
        if id_token:
            query["id_token_hint"] = id_token
        return f"{await self.endpoint('end_session_endpoint')}?{urlencode(query)}"

    async def revoke(self, refresh_token: str) -> None:
        """Ends the provider's session too, where it offers revocation (best effort)."""
        try:
            url = await self.endpoint("revocation_endpoint")
            await self.http.post(url, data={
                "token": refresh_token, "token_type_hint": "refresh_token",
                "client_id": self.settings.oidc_client_id,
                "client_secret": self.settings.oidc_client_secret.get_secret_value(),
            })  # fmt: skip
        except (KeyError, httpx.HTTPError):
            pass


def _error(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return ""


def _kept(
    tokens: dict[str, Any], now: float, before: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a session keeps of a token response; a renewal without a new refresh or ID
    token keeps the ones it had."""
    before = before or {}
    return {
        "access": tokens["access_token"],
        "access_until": now + float(tokens.get("expires_in", 60)),
        "refresh": tokens.get("refresh_token") or before.get("refresh", ""),
        "id": tokens.get("id_token") or before.get("id", ""),
    }


def seal(key: bytes, id_hash: bytes, tokens: dict[str, Any]) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(key).encrypt(nonce, json.dumps(tokens).encode(), id_hash)


def unseal(key: bytes, id_hash: bytes, sealed: bytes) -> dict[str, Any] | None:
    try:
        opened: dict[str, Any] = json.loads(AESGCM(key).decrypt(sealed[:12], sealed[12:], id_hash))
    except (InvalidTag, ValueError):
        return None  # sealed with a key since replaced: the person signs in again
    return opened


class Sessions:
    """Opens, finds, renews and closes sessions."""

    def __init__(self, runtime: Runtime[Store], provider: Provider) -> None:
        self.runtime = runtime
        self.provider = provider
        self.settings = provider.settings

    @property
    def gate(self) -> Gate:
        return self.runtime.gate

    async def begin(self, return_to: str) -> tuple[str, str]:
        """Where the browser goes to sign in, and the value it keeps meanwhile (a cookie)
        that the callback must bring back."""
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)  # 64 characters: RFC 7636 asks for 43 to 128
        browser = secrets.token_urlsafe(24)
        url = await self.provider.authorization_url(state, verifier, nonce)
        async with self.runtime.database.transaction() as unit:
            await unit.store.begin_sign_in(
                state, verifier, nonce, safe_return(return_to), hashed(browser)
            )
        return url, browser

    async def complete(self, code: str, state: str, browser: str) -> tuple[str, str]:
        """The new session's cookie value, and where to go now. Only in the browser that
        began the sign-in (its cookie): else someone could have a victim finish a sign-in
        of their own."""
        async with self.runtime.database.transaction() as unit:
            under_way = await unit.store.end_sign_in(state)
        if under_way is None:
            raise SignInFailed("this sign-in is unknown or took too long")
        if not browser or not hmac.compare_digest(hashed(browser), under_way.browser):
            raise SignInFailed("this sign-in was begun in another browser")
        tokens = await self.provider.exchange(code, under_way.verifier)
        principal = await self._principal(str(tokens["access_token"]))
        secret = secrets.token_urlsafe(32)
        id_hash = hashed(secret)
        now = time.time()
        row = SessionRow(
            id_hash, principal.staff_id, principal.issuer, principal.subject,
            seal(self.settings.key(), id_hash, _kept(tokens, now)), secrets.token_urlsafe(32),
            datetime.now(UTC) + timedelta(hours=self.settings.session_hours),
        )  # fmt: skip
        async with self.runtime.database.transaction() as unit:
            await unit.store.open_session(row)
        return secret, under_way.return_to

    async def _principal(self, access_token: str) -> Principal:
        try:
            identity = await self.gate.verifier.verify(access_token)
        except InvalidToken as e:
            raise SignInFailed(f"the token is not valid: {e}") from e
        except IssuerUnavailable as e:
            raise ProviderUnavailable(str(e)) from e
        principal = await self.gate.directory.principal(identity.issuer, identity.subject)
        if principal is None or principal.staff_id is None:
            raise SignInFailed("unknown person")
        return principal

    async def visitor(self, request: Request) -> Visitor:
        secret = request.cookies.get(COOKIE)
        return_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            return_to = request.headers.get("referer", "/")
            return_to = urlsplit(return_to).path or "/"
        if not secret:
            raise SignInNeeded(return_to)
        id_hash = hashed(secret)
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        async with self.runtime.database.reading() as store:
            row = await store.session(id_hash, idle)
        tokens = unseal(self.settings.key(), id_hash, row.tokens) if row else None
        if row is None or tokens is None:
            raise SignInNeeded(return_to)
        if _due(tokens):
            tokens = await self._renew(id_hash, return_to)
        try:
            principal = await self._principal(str(tokens["access"]))
        except SignInFailed as e:
            raise SignInNeeded(return_to) from e
        return Visitor(principal, str(tokens["access"]), row.csrf, id_hash)

    async def _renew(self, id_hash: bytes, return_to: str) -> dict[str, Any]:
        """New tokens for the session, one request at a time (the row is locked): a request
        that waited finds them renewed and uses them, rather than spend a refresh token the
        provider has already rotated away (which would end the session)."""
        ended = False
        async with self.runtime.database.transaction() as unit:
            row = await unit.store.session_for_update(id_hash)
            tokens = unseal(self.settings.key(), id_hash, row.tokens) if row else None
            if tokens is None:
                raise SignInNeeded(return_to)
            if not _due(tokens):
                return tokens
            try:
                fresh = await self.provider.refresh(str(tokens["refresh"]))
            except SignInEnded:
                ended = True
            else:
                renewed = _kept(fresh, time.time(), tokens)
                sealed = seal(self.settings.key(), id_hash, renewed)
                await unit.store.renew_tokens(id_hash, sealed)
                return renewed
        if ended:  # the provider ended the sign-in: so does the session
            await self.close(id_hash)
        raise SignInNeeded(return_to)

    async def csrf_of(self, id_hash: bytes) -> str | None:
        """The CSRF token of the session, if it still has a row (expired or not)."""
        async with self.runtime.database.reading() as store:
            return await store.csrf_of(id_hash)

    async def close(self, id_hash: bytes) -> str | None:
        """Ends the session here and at the provider; where the browser goes to end the
        provider's sign-in (None: straight to the signed-out page)."""
        async with self.runtime.database.transaction() as unit:
            row = await unit.store.session_for_update(id_hash)
            await unit.store.close_session(id_hash)
        tokens = unseal(self.settings.key(), id_hash, row.tokens) if row else None
        if not tokens:
            return None
        if tokens.get("refresh"):
            await self.provider.revoke(str(tokens["refresh"]))
        return await self.provider.end_session_url(str(tokens["id"])) if tokens["id"] else None


def _due(tokens: dict[str, Any]) -> bool:
    return float(tokens["access_until"]) - RENEW_BEFORE_S < time.time()


def sessions(request: Request) -> Sessions:
    found: Sessions | None = getattr(request.app.state, "web_sessions", None)
    if found is None:
        http = httpx.AsyncClient(timeout=10.0)
        found = request.app.state.web_sessions = Sessions(
            request.app.state.runtime, Provider(config(), http)
        )
    return found
