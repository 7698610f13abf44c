"""The token verifier's own logic, with keys made here and served by an in-process JWKS:
the key cache, one refetch on an unknown key id (not a flood), and what it refuses. The
same refusals against the real identity provider are in tests/e2e/test_tokens.py."""

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.shared.identity.tokens import (
    KEYS_TTL_S,
    REFETCH_AFTER_S,
    InvalidToken,
    IssuerUnavailable,
    TokenVerifier,
    TrustedIssuer,
)

pytestmark = pytest.mark.unit

ISSUER = "https://idp.example/realms/board"


class Provider:
    """Keys published at a JWKS address, counted as they are fetched."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {"k1": _key()}
        self.fetches = 0
        self.down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            return httpx.Response(503)
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json={"jwks_uri": f"{ISSUER}/certs"})
        self.fetches += 1
        return httpx.Response(200, json={"keys": [_jwk(k, kid) for kid, k in self.keys.items()]})

    def sign(self, kid: str = "k1", **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": "huisacademie", "sub": "u1", "iat": now,
                   "exp": now + 300, **claims}  # fmt: skip
        return jwt.encode(payload, self.keys[kid], algorithm="RS256", headers={"kid": kid})


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
def verifier(provider: Provider) -> TokenVerifier:
    http = httpx.AsyncClient(transport=httpx.MockTransport(provider.handle))
    return TokenVerifier((TrustedIssuer(issuer=ISSUER),), "huisacademie", leeway_s=5, http=http)


async def test_a_valid_token_names_the_issuer_and_subject(
    verifier: TokenVerifier, provider: Provider
) -> None:
    identity = await verifier.verify(provider.sign(sub="teacher-7"))
    assert (identity.issuer, identity.subject) == (ISSUER, "teacher-7")
    await verifier.verify(provider.sign())
    assert provider.fetches == 1, "the keys are cached"


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"exp": -10}, "expired"),
        ({"nbf": 60}, "not yet valid"),
        ({"aud": "another-app"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
    ],
)
async def test_refused_claims(
    verifier: TokenVerifier, provider: Provider, claims: dict[str, Any], why: str
) -> None:
    """Times are seconds from now (the parameters are made long before the test runs)."""
    now = int(time.time())
    claims = {k: now + v if k in ("exp", "nbf") else v for k, v in claims.items()}
    with pytest.raises(InvalidToken):
        await verifier.verify(provider.sign(**claims))


async def test_the_leeway_forgives_a_few_seconds_of_clock_skew(
    verifier: TokenVerifier, provider: Provider
) -> None:
    await verifier.verify(provider.sign(exp=int(time.time()) - 2))


async def test_none_and_hmac_with_the_public_key_are_refused(
    verifier: TokenVerifier, provider: Provider
) -> None:
    claims = jwt.decode(provider.sign(), options={"verify_signature": False})
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": "k1"})
    with pytest.raises(InvalidToken, match="algorithm"):
        await verifier.verify(unsigned)
    public_pem = (
        provider.keys["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    body = _b64(claims)
    import hashlib
    import hmac

    mac = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken, match="algorithm"):
        await verifier.verify(forged)


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


async def test_a_tampered_payload_fails_its_signature(
    verifier: TokenVerifier, provider: Provider
) -> None:
    header, _, signature = provider.sign(sub="teacher").split(".")
    claims = jwt.decode(provider.sign(), options={"verify_signature": False})
    with pytest.raises(InvalidToken, match="Signature"):
        await verifier.verify(f"{header}.{_b64({**claims, 'sub': 'leader'})}.{signature}")


async def test_an_unknown_key_id_refetches_once_and_a_flood_does_not_refetch(
    verifier: TokenVerifier, provider: Provider
) -> None:
    await verifier.verify(provider.sign())
    provider.keys["k2"] = _key()  # rotated in at the provider
    await verifier.verify(provider.sign(kid="k2"))
    assert provider.fetches == 2
    stranger = Provider()
    stranger.keys = {"made-up": _key()}
    for _ in range(20):
        with pytest.raises(InvalidToken, match="not among"):
            await verifier.verify(stranger.sign(kid="made-up"))
    assert provider.fetches == 2, f"refetched at most every {REFETCH_AFTER_S} s"


async def test_a_key_rotated_out_stops_working_at_the_next_refetch(
    verifier: TokenVerifier, provider: Provider
) -> None:
    old = provider.sign()
    await verifier.verify(old)
    provider.keys = {"k2": _key()}
    await verifier.verify(provider.sign(kid="k2"))
    with pytest.raises(InvalidToken, match="not among"):
        await verifier.verify(old)


async def test_an_issuer_out_of_reach_is_unavailable_not_invalid(
    verifier: TokenVerifier, provider: Provider
) -> None:
    provider.down = True
    with pytest.raises(IssuerUnavailable):
        await verifier.verify(provider.sign())


async def test_not_a_jwt(verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify("not-a-token")


async def test_keys_held_serve_on_while_the_provider_is_away_at_their_refresh(
    verifier: TokenVerifier, provider: Provider
) -> None:
    token = provider.sign()
    await verifier.verify(token)
    provider.down = True
    verifier._keys[ISSUER].fetched_at -= KEYS_TTL_S + 1  # an hour on: time to refresh
    assert (await verifier.verify(token)).subject == "u1"
    assert (await verifier.verify(token)).subject == "u1"  # and not a fetch per request
    assert provider.fetches == 1
