"""Bearer tokens: OpenID Connect access tokens (JWT) verified against the trusted issuers'
published keys, with PyJWT. Nothing here decides what a caller may do: see access.py."""

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, Field

# Asymmetric only: a token names its own algorithm, and "none" or HS256 (keyed with a
# public key anyone can read) must never be taken from it.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
REFETCH_AFTER_S = 10.0
"""An unknown key id refetches the issuer's keys, but not again within this (a flood of
tokens with made-up key ids must not become a flood of requests to the provider)."""
KEYS_TTL_S = 3600.0


class TrustedIssuer(BaseModel):
    """An identity provider whose tokens the services accept (a board's Entra ID tenant,
    Google Workspace, SURFconext, the local stack's Keycloak realm)."""

    model_config = ConfigDict(frozen=True)

    issuer: str = Field(description="The `iss` its tokens carry, exactly.")
    boards: tuple[str, ...] = Field(
        default=(),
        description="The boards whose people sign in here; empty for a federation that"
        " serves many boards (the directory's entry then names the board alone).",
    )
    subject_claim: str = Field(
        default="sub", description="The claim that names the person (Entra ID: `oid`)."
    )
    jwks_uri: str | None = Field(
        default=None, description="Its keys; found in its discovery document when not given."
    )


class InvalidToken(Exception):
    """No valid token: the caller gets 401 with a WWW-Authenticate header."""


class IssuerUnavailable(Exception):
    """The issuer's keys could not be fetched: the caller gets 503 and may try again (the
    token may well be valid, so 401 would send them to sign in again for nothing)."""


@dataclass(frozen=True)
class Identity:
    """Who a valid token says the caller is."""

    issuer: str
    subject: str
    claims: dict[str, Any]


class _Keys:
    def __init__(self) -> None:
        self.by_kid: dict[str, jwt.PyJWK] = {}
        self.fetched_at = float("-inf")
        self.missed_at = float("-inf")
        """When an unknown key id last made us fetch."""
        self.lock = asyncio.Lock()


class TokenVerifier:
    """Verifies access tokens of the trusted issuers for one audience. Each issuer's keys
    are cached and fetched again once when a token names a key id not among them (the
    provider has rotated), so a key the provider has removed stops working then."""

    def __init__(
        self,
        issuers: tuple[TrustedIssuer, ...],
        audience: str,
        *,
        leeway_s: float = 5.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.issuers = {i.issuer: i for i in issuers}
        self.audience = audience
        self.leeway_s = leeway_s
        self._http = http or httpx.AsyncClient(timeout=5.0)
        self._keys = {i.issuer: _Keys() for i in issuers}

    async def close(self) -> None:
        await self._http.aclose()

    async def verify(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as e:
            raise InvalidToken(f"not a JWT: {e}") from e
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
        trusted = self.issuers.get(str(unverified.get("iss")))
        if trusted is None:
            raise InvalidToken("the token's issuer is not trusted")
        key = await self._key(trusted, header.get("kid"))
        if key.algorithm_name != algorithm:
            raise InvalidToken("the token's algorithm does not match its key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=trusted.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iss", "aud", trusted.subject_claim]},
            )
        except jwt.PyJWTError as e:
            raise InvalidToken(str(e)) from e
        return Identity(trusted.issuer, str(claims[trusted.subject_claim]), claims)

    async def _key(self, trusted: TrustedIssuer, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str):
            raise InvalidToken("the token names no key")
        keys = self._keys[trusted.issuer]
        if kid not in keys.by_kid or time.monotonic() - keys.fetched_at > KEYS_TTL_S:
            async with keys.lock:
                now = time.monotonic()
                stale = now - keys.fetched_at > KEYS_TTL_S
                missing = kid not in keys.by_kid and now - keys.missed_at > REFETCH_AFTER_S
                if stale or missing:
                    if not stale:
                        keys.missed_at = now
                    try:
                        keys.by_kid = await self._fetch(trusted)
                        keys.fetched_at = now
                    except IssuerUnavailable:
                        if not keys.by_kid:
                            raise
                        # The provider is away: the keys held serve on; try again in a minute.
                        keys.fetched_at = now - KEYS_TTL_S + 60
        found = keys.by_kid.get(kid)
        if found is None:
            raise InvalidToken("the token's key is not among the issuer's keys")
        return found

    async def _fetch(self, trusted: TrustedIssuer) -> dict[str, jwt.PyJWK]:
        try:
            uri = trusted.jwks_uri or await self._discover(trusted.issuer)
            response = await self._http.get(uri)
            response.raise_for_status()
            published = response.json().get("keys", [])
        except (httpx.HTTPError, ValueError, KeyError) as e:
            raise IssuerUnavailable(f"the keys of {trusted.issuer} could not be fetched") from e
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in published:
            # Entra ID publishes RSA keys without "alg".
            algorithm = jwk.get("alg") or ("RS256" if jwk.get("kty") == "RSA" else None)
            if jwk.get("use", "sig") != "sig" or algorithm not in ALGORITHMS:
                continue  # encryption keys, and keys we would never accept a token under
            try:
                keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm=algorithm)
            except (jwt.PyJWTError, KeyError):
                continue
        return keys

    async def _discover(self, issuer: str) -> str:
        response = await self._http.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        response.raise_for_status()
        uri: str = response.json()["jwks_uri"]
        return uri
