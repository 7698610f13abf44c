"""Bad tokens against the running services and the real identity provider: each is refused
with 401 and a WWW-Authenticate header. The provider publishes a key the test holds (as a
second key of the realm), so a token can be made with exactly one thing wrong; a control
token made the same way is accepted, so each refusal is for the fault it names.

These tests use the second board's realm (noord), whose keys they rotate."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from huisacademie.demo import Endpoints, wait_for
from huisacademie.oidc import Keycloak
from tests.conftest import NOORD_BOARD, NOORD_REALM
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Realm:
    keycloak: Keycloak
    issuer: str
    people: People


@pytest.fixture(scope="module")
def noord(keycloak: Keycloak, directory_url: str) -> Iterator[Realm]:
    people = People(keycloak, NOORD_REALM, directory_url)
    yield Realm(keycloak, keycloak.issuer(NOORD_REALM), people)
    people.close()


@pytest.fixture(scope="module")
def member(noord: Realm) -> Caller:
    """Someone of the second board, signing in at its own provider."""
    return noord.people.staff(NOORD_BOARD)


def search(endpoints: Endpoints, token: str | None, scheme: str = "Bearer") -> httpx.Response:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return httpx.get(f"{endpoints.catalogue}/offerings", headers=headers)


def refused(response: httpx.Response) -> str:
    assert response.status_code == 401, f"{response.status_code} {response.text}"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="huisacademie"'), challenge
    return challenge


def test_a_token_of_the_board_provider_is_accepted(endpoints: Endpoints, member: Caller) -> None:
    assert search(endpoints, member.token).status_code == 200


def test_no_token_or_another_scheme_is_asked_for_a_bearer_token(endpoints: Endpoints) -> None:
    assert refused(search(endpoints, None)) == 'Bearer realm="huisacademie"'
    assert (
        refused(search(endpoints, "dXNlcjpwYXNz", scheme="Basic")) == 'Bearer realm="huisacademie"'
    )
    assert 'error="invalid_token"' in refused(search(endpoints, "not-a-jwt"))


def test_an_issuer_bound_to_one_board_does_not_sign_in_another_boards_people(
    endpoints: Endpoints, noord: Realm
) -> None:
    """The board comes from the directory, and the provider may only vouch for its own."""
    stranger = noord.people.staff(str(uuid.uuid4()))
    answer = search(endpoints, stranger.token)
    assert answer.status_code == 403 and "board" in answer.json()["detail"]


@dataclass(frozen=True)
class HeldKey:
    """A key of the realm the test holds: the provider publishes it; tokens it signs are the
    test's own."""

    private: rsa.RSAPrivateKey
    kid: str
    issuer: str
    subject: str

    def sign(self, kid: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": "huisacademie", "sub": self.subject,
                   "iat": now, "exp": now + 300, **claims}  # fmt: skip
        return jwt.encode(
            payload, self.private, algorithm="RS256", headers={"kid": kid or self.kid}
        )


@pytest.fixture(scope="module")
def held(noord: Realm, member: Caller, endpoints: Endpoints) -> Iterator[HeldKey]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    # Active but of the lowest priority: published, never used by the provider itself.
    kid = noord.keycloak.add_rsa_key(NOORD_REALM, pem, priority=1, active=True, name="test-held")
    key = HeldKey(private, kid, noord.issuer, member.subject)
    # The services fetch the keys again on an unknown key id, at most every few seconds.
    wait_for("the services to know the held key", lambda: search(endpoints, key.sign()).is_success)
    yield key
    noord.keycloak.remove_key(NOORD_REALM, kid)


def test_a_control_token_signed_with_the_held_key_is_accepted(
    endpoints: Endpoints, held: HeldKey
) -> None:
    assert search(endpoints, held.sign()).status_code == 200


@pytest.mark.parametrize(
    ("claims", "described"),
    [
        ({"exp": -120}, "expired"),
        ({"nbf": 120}, "not yet valid"),
        ({"aud": "another-application"}, "audience"),
        ({"aud": None}, "aud"),
        ({"sub": None}, "sub"),
    ],
)
def test_claims_that_fail(
    endpoints: Endpoints, held: HeldKey, claims: dict[str, Any], described: str
) -> None:
    """Times are seconds from now, beyond the services' leeway of 5 s; a claim given as
    None is left out."""
    now = int(time.time())
    claims = {k: now + v if k in ("exp", "nbf") else v for k, v in claims.items()}
    payload = jwt.decode(held.sign(**claims), options={"verify_signature": False})
    payload = {k: v for k, v in payload.items() if v is not None}
    token = jwt.encode(payload, held.private, algorithm="RS256", headers={"kid": held.kid})
    assert described in refused(search(endpoints, token)).lower()


def test_a_token_of_an_untrusted_issuer(
    endpoints: Endpoints, held: HeldKey, keycloak: Keycloak
) -> None:
    for issuer in (keycloak.issuer("master"), "https://login.microsoftonline.com/x/v2.0"):
        refused(search(endpoints, held.sign(iss=issuer)))


def test_alg_none_and_hmac_keyed_with_the_public_key(
    endpoints: Endpoints, held: HeldKey, keycloak: Keycloak
) -> None:
    claims = jwt.decode(held.sign(), options={"verify_signature": False})
    header = {"alg": "none", "typ": "JWT", "kid": held.kid}
    refused(search(endpoints, f"{_b64(header)}.{_b64(claims)}."))
    # HS256 keyed with the provider's own public key, as anyone can read it from its JWKS.
    published = next(k for k in keycloak.jwks(NOORD_REALM)["keys"] if k["kid"] == held.kid)
    public = jwt.PyJWK(published).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": held.kid}
    signing_input = f"{_b64(header)}.{_b64(claims)}"
    mac = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    refused(search(endpoints, f"{signing_input}.{_raw64(mac)}"))


def test_a_tampered_payload(endpoints: Endpoints, member: Caller, noord: Realm) -> None:
    someone = noord.people.board_admin(NOORD_BOARD)
    header, _, signature = member.token.split(".")
    claims = jwt.decode(member.token, options={"verify_signature": False})
    forged = f"{header}.{_b64({**claims, 'sub': someone.subject})}.{signature}"
    refused(search(endpoints, forged))


def test_an_unknown_key_id(endpoints: Endpoints, held: HeldKey) -> None:
    refused(search(endpoints, held.sign(kid="no-such-key")))


def test_a_key_the_provider_rotated_out(
    endpoints: Endpoints, noord: Realm, member: Caller, held: HeldKey
) -> None:
    """The provider rotates: a new key signs from now on and the old one is removed. A token
    under the new key makes the services fetch the keys again; one under the old key is then
    refused, however long it had left."""
    old = member.token
    old_kid = jwt.get_unverified_header(old)["kid"]
    assert search(endpoints, old).status_code == 200
    noord.keycloak.add_generated_rsa_key(NOORD_REALM, "rotated-in", priority=500)
    noord.keycloak.remove_key(NOORD_REALM, old_kid)
    fresh = noord.keycloak.password_token(
        NOORD_REALM, "huisacademie-cli", member.username, "local-test-password"
    )
    assert jwt.get_unverified_header(fresh)["kid"] != old_kid
    wait_for("the services to accept the new key", lambda: search(endpoints, fresh).is_success)
    refused(search(endpoints, old))


def _b64(value: dict[str, Any]) -> str:
    return _raw64(json.dumps(value).encode())


def _raw64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
