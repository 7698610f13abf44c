"""A small synchronous client of Keycloak's REST APIs: tokens, realms, users, service accounts
and signing keys, for the local stack, the demo and the tests; and our realms' representation."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

AUDIENCE = "huisacademie"
CLI_CLIENT = "huisacademie-cli"
INTEGRATION_CLIENT = "huisacademie-integration"
MONITORING_CLIENT = "huisacademie-monitoring"
WEB_CLIENT = "huisacademie-web"

# Cheap password hashing, for the local stack only. Measured per password grant (and about
# as much per user created) on 2 CPUs: Keycloak's default, Argon2, ~150 ms; hashIterations(1)
# alone ~90 ms (Argon2's memory cost stays); one PBKDF2-SHA256 iteration ~25-35 ms, near a
# client-credentials grant's ~15 ms: the tests create and sign in hundreds of people. The
# realms hold made-up people on 127.0.0.1; real boards sign in with their own provider.
LOCAL_PASSWORD_POLICY = "hashAlgorithm(pbkdf2-sha256) and hashIterations(1)"

# Keycloak 26's default client scopes; "basic" puts `sub` (and auth_time) in access tokens.
_DEFAULT_SCOPES = ["basic", "acr", "profile", "email", "roles", "web-origins"]
_ADMIN_SLACK_S = 15.0  # renew the admin token this long before it expires

Json = dict[str, Any]


class KeycloakError(RuntimeError):
    """Keycloak refused or failed a request."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _q(segment: str) -> str:
    return quote(segment, safe="")


def _last_segment(location: str | None) -> str:
    if not location:
        raise KeycloakError("Keycloak created something without saying where (no Location)")
    return location.rstrip("/").rsplit("/", 1)[-1]


class Keycloak:
    """A Keycloak server: its token endpoints, and its admin API as the master realm's admin."""

    def __init__(
        self,
        base_url: str,
        username: str = "admin",
        password: str = "admin",
        *,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._username = username
        self._password = password
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._token = ""
        self._token_expires = 0.0
        self._refresh = ""
        self._refresh_expires = 0.0
        self._issuers: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Keycloak:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Tokens

    def _grant(self, realm: str, form: Mapping[str, str]) -> Json:
        resp = self._http.post(f"/realms/{_q(realm)}/protocol/openid-connect/token", data=form)
        if resp.status_code != 200:
            raise KeycloakError(
                f"token request ({form.get('grant_type')}, client {form.get('client_id')}) "
                f"in realm {realm}: {resp.status_code} {resp.text}",
                resp.status_code,
            )
        body: Json = resp.json()
        return body

    def password_token(
        self,
        realm: str,
        client_id: str,
        username: str,
        password: str,
        client_secret: str | None = None,
    ) -> str:
        """An access token for a user (password grant)."""
        form = {
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password,
        }
        if client_secret is not None:
            form["client_secret"] = client_secret
        return str(self._grant(realm, form)["access_token"])

    def client_token(self, realm: str, client_id: str, client_secret: str) -> str:
        """An access token for a client's service account (client-credentials grant)."""
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        return str(self._grant(realm, form)["access_token"])

    def _admin_token(self) -> str:
        now = time.monotonic()
        if self._token and now < self._token_expires - _ADMIN_SLACK_S:
            return self._token
        password_form = {
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": self._username,
            "password": self._password,
        }
        if self._refresh and now < self._refresh_expires - _ADMIN_SLACK_S:
            refresh_form = {
                "grant_type": "refresh_token",
                "client_id": "admin-cli",
                "refresh_token": self._refresh,
            }
            try:
                got = self._grant("master", refresh_form)
            except KeycloakError:  # the session ended (a restart without it, say)
                got = self._grant("master", password_form)
        else:
            got = self._grant("master", password_form)
        self._token = str(got["access_token"])
        self._token_expires = now + float(got.get("expires_in", 60))
        self._refresh = str(got.get("refresh_token", ""))
        self._refresh_expires = now + float(got.get("refresh_expires_in", 0))
        return self._token

    def _admin(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> httpx.Response:
        """A request to ``/admin/realms{path}``; KeycloakError unless its status is in ``ok``."""
        url = f"/admin/realms{path}"
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._admin_token()}"}
            resp = self._http.request(method, url, headers=headers, json=body, params=params)
            if resp.status_code == 401 and attempt == 1:
                self._token = ""  # revoked or signed by a key since removed: sign in again
                continue
            break
        if resp.status_code not in ok:
            raise KeycloakError(f"{method} {url}: {resp.status_code} {resp.text}", resp.status_code)
        return resp

    # Realms

    def ensure_realm(self, realm: Mapping[str, Any]) -> bool:
        """Create the realm from its full representation unless it exists; True if created."""
        name = str(realm["realm"])
        if self._admin("GET", f"/{_q(name)}", ok=(200, 404)).status_code == 200:
            return False
        # 409: someone else created it meanwhile
        return self._admin("POST", "", body=realm, ok=(201, 409)).status_code == 201

    def ensure_clients(self, realm: Mapping[str, Any]) -> list[str]:
        """Add the representation's clients that an existing realm lacks (a realm made by an
        earlier version); the clients added, by id."""
        name, added = str(realm["realm"]), []
        for client in realm.get("clients", []):
            params = {"clientId": str(client["clientId"])}
            if not self._admin("GET", f"/{_q(name)}/clients", params=params).json():
                self._admin("POST", f"/{_q(name)}/clients", body=client, ok=(201, 409))
                added.append(str(client["clientId"]))
        return added

    def delete_realm(self, realm: str) -> None:
        """Delete the realm if it exists."""
        self._admin("DELETE", f"/{_q(realm)}", ok=(204, 404))
        self._issuers.pop(realm, None)

    def discovery(self, realm: str) -> Json:
        """The realm's OpenID Connect discovery document."""
        resp = self._http.get(f"/realms/{_q(realm)}/.well-known/openid-configuration")
        if resp.status_code != 200:
            raise KeycloakError(f"discovery of realm {realm}: {resp.status_code}", resp.status_code)
        body: Json = resp.json()
        return body

    def issuer(self, realm: str) -> str:
        """The realm's issuer, as its tokens carry it in ``iss``."""
        if realm not in self._issuers:
            self._issuers[realm] = str(self.discovery(realm)["issuer"])
        return self._issuers[realm]

    def jwks(self, realm: str) -> Json:
        """The realm's published keys (its JWKS: active and passive signing keys)."""
        resp = self._http.get(f"/realms/{_q(realm)}/protocol/openid-connect/certs")
        if resp.status_code != 200:
            raise KeycloakError(f"JWKS of realm {realm}: {resp.status_code}", resp.status_code)
        body: Json = resp.json()
        return body

    # Users and service accounts

    def create_user(
        self,
        realm: str,
        username: str,
        password: str,
        *,
        first_name: str = "",
        last_name: str = "",
        email: str | None = None,
    ) -> str:
        """Create an enabled user with a password; return its id (the ``sub`` of its tokens)."""
        user: Json = {
            "username": username,
            "enabled": True,
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        }
        if first_name:
            user["firstName"] = first_name
        if last_name:
            user["lastName"] = last_name
        if email:
            user["email"] = email
            user["emailVerified"] = True
        resp = self._admin("POST", f"/{_q(realm)}/users", body=user, ok=(201,))
        return _last_segment(resp.headers.get("Location"))

    def user_id(self, realm: str, username: str) -> str | None:
        """The id of the user with this username, or None."""
        params = {"username": username, "exact": "true"}
        found = self._admin("GET", f"/{_q(realm)}/users", params=params).json()
        return str(found[0]["id"]) if found else None

    def ensure_user(
        self,
        realm: str,
        username: str,
        password: str,
        *,
        first_name: str = "",
        last_name: str = "",
        email: str | None = None,
    ) -> str:
        """The user's id, creating the user if missing; an existing user gets this password."""
        existing = self.user_id(realm, username)
        if existing is None:
            try:
                return self.create_user(
                    realm, username, password,
                    first_name=first_name, last_name=last_name, email=email,
                )  # fmt: skip
            except KeycloakError as exc:
                existing = self.user_id(realm, username) if exc.status == 409 else None
                if existing is None:
                    raise
        credential = {"type": "password", "value": password, "temporary": False}
        self._admin("PUT", f"/{_q(realm)}/users/{_q(existing)}/reset-password", body=credential)
        return existing

    def import_users(self, realm: str, users: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        """Create many users in one call (the admin API's partial import; none may exist
        yet): their ids (the ``sub`` of their tokens) by username. Each user is a user
        representation, as :meth:`create_user` sends one. Keycloak 26 spends time quadratic
        in the users of one call (one transaction: 50 users about 0.2 s, 1,000 about 24 s,
        2,000 about 120 s on 2 CPUs), so a caller with thousands sends a few dozen at once."""
        body = {"ifResourceExists": "FAIL", "users": list(users)}
        resp = self._admin("POST", f"/{_q(realm)}/partialImport", body=body, ok=(200,))
        made = {
            str(r["resourceName"]): str(r["id"])
            for r in resp.json().get("results", [])
            if r.get("resourceType") == "USER" and r.get("action") == "ADDED"
        }
        missing = {str(u["username"]) for u in users} - made.keys()
        if missing:
            raise KeycloakError(f"partial import into {realm} did not add {sorted(missing)[:5]}")
        return made

    def client_uuid(self, realm: str, client_id: str) -> str:
        """Keycloak's internal id of the client called ``client_id``."""
        found = self._admin("GET", f"/{_q(realm)}/clients", params={"clientId": client_id}).json()
        if not found:
            raise KeycloakError(f"realm {realm} has no client {client_id}", 404)
        return str(found[0]["id"])

    def service_account_subject(self, realm: str, client_id: str) -> str:
        """The ``sub`` of the client's client-credentials tokens (its service account's id)."""
        client = _q(self.client_uuid(realm, client_id))
        user = self._admin("GET", f"/{_q(realm)}/clients/{client}/service-account-user").json()
        return str(user["id"])

    # Signing keys

    def keys(self, realm: str) -> list[Json]:
        """The realm's keys as the admin API lists them (kid, providerId, status, use, ...)."""
        found: list[Json] = self._admin("GET", f"/{_q(realm)}/keys").json()["keys"]
        return found

    def add_rsa_key(
        self,
        realm: str,
        private_key_pem: str,
        *,
        priority: int,
        active: bool = True,
        name: str,
    ) -> str:
        """Upload an RSA private key (PEM) as an RS256 signing key; return its kid. The
        active key of highest priority signs; an inactive (passive) one is still published."""
        config = {
            "privateKey": private_key_pem,
            "priority": str(priority),
            "active": "true" if active else "false",
            "enabled": "true",
            "algorithm": "RS256",
            "keyUse": "sig",
        }
        return self._add_key(realm, name, "rsa", config)

    def add_generated_rsa_key(self, realm: str, name: str, priority: int) -> str:
        """A new RS256 signing key generated by Keycloak, active; return its kid."""
        config = {
            "priority": str(priority),
            "active": "true",
            "enabled": "true",
            "algorithm": "RS256",
            "keySize": "2048",
        }
        return self._add_key(realm, name, "rsa-generated", config)

    def remove_key(self, realm: str, kid: str) -> None:
        """Delete the key provider (component) that provides the key ``kid``."""
        for key in self.keys(realm):
            if key.get("kid") == kid:
                provider = _q(str(key["providerId"]))
                self._admin("DELETE", f"/{_q(realm)}/components/{provider}", ok=(204, 404))
                return
        raise KeycloakError(f"realm {realm} has no key {kid}", 404)

    def _add_key(self, realm: str, name: str, provider_id: str, config: Mapping[str, str]) -> str:
        realm_id = str(self._admin("GET", f"/{_q(realm)}").json()["id"])
        component = {
            "name": name,
            "providerId": provider_id,
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm_id,
            "config": {key: [value] for key, value in config.items()},
        }
        resp = self._admin("POST", f"/{_q(realm)}/components", body=component, ok=(201,))
        provider = _last_segment(resp.headers.get("Location"))
        for key in self.keys(realm):
            if key.get("providerId") == provider and key.get("use", "SIG") == "SIG":
                return str(key["kid"])
        # Keycloak keeps a component whose key it cannot load; do not leave it behind.
        self._admin("DELETE", f"/{_q(realm)}/components/{_q(provider)}", ok=(204, 404))
        raise KeycloakError(f"Keycloak made no signing key of {name!r} in realm {realm}")


def _audience_mapper(audience: str) -> Json:
    return {
        "name": f"audience {audience}",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-audience-mapper",
        "consentRequired": False,
        "config": {
            "included.custom.audience": audience,
            "access.token.claim": "true",
            "introspection.token.claim": "true",
            "id.token.claim": "false",
        },
    }


def _attribute(name: str, validations: Json) -> Json:
    return {
        "name": name,
        "displayName": f"${{{name}}}",
        "validations": validations,
        "permissions": {"view": ["admin", "user"], "edit": ["admin", "user"]},
        "multivalued": False,
    }


def _user_profile() -> Json:
    """Keycloak's default user profile, but only the username required: otherwise Keycloak
    refuses a password grant to a user without email, first or last name ("Account is not
    fully set up", the verify-profile required action), and the tests' people have none."""
    names = {"length": {"max": 255}, "person-name-prohibited-characters": {}}
    username = {
        "length": {"min": 3, "max": 255},
        "username-prohibited-characters": {},
        "up-username-not-idn-homograph": {},
    }
    return {
        "attributes": [
            _attribute("username", username),
            _attribute("email", {"email": {}, "length": {"max": 255}}),
            _attribute("firstName", names),
            _attribute("lastName", names),
        ],
        "groups": [
            {
                "name": "user-metadata",
                "displayHeader": "User metadata",
                "displayDescription": "Attributes, which refer to user metadata",
            }
        ],
    }


def _confidential_client(client_id: str, secret: str, audience: str) -> Json:
    return {
        "clientId": client_id,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "secret": secret,
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "defaultClientScopes": _DEFAULT_SCOPES,
        "protocolMappers": [_audience_mapper(audience)],
    }


def realm_representation(
    name: str,
    *,
    integration_secret: str,
    monitoring_secret: str,
    web_secret: str,
    audience: str = AUDIENCE,
) -> Json:
    """One of our realms, for :meth:`Keycloak.ensure_realm` (users come separately): the
    command line's public client (password grant; code flow with PKCE for the web app), an
    integration's and the monitoring's confidential clients (client credentials), and the
    web application's (code flow with PKCE, as a confidential client). Every
    client's access tokens carry ``audience`` in ``aud`` and the user's id in ``sub``."""
    cli = {
        "clientId": CLI_CLIENT,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": True,
        "directAccessGrantsEnabled": True,
        "standardFlowEnabled": True,
        "implicitFlowEnabled": False,
        "serviceAccountsEnabled": False,
        "redirectUris": ["http://127.0.0.1:*"],
        "webOrigins": ["+"],
        "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+"},
        "defaultClientScopes": _DEFAULT_SCOPES,
        "protocolMappers": [_audience_mapper(audience)],
    }
    web = {
        **cli,
        "clientId": WEB_CLIENT,
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "secret": web_secret,
        "directAccessGrantsEnabled": False,
        "frontchannelLogout": False,
    }
    return {
        "realm": name,
        "enabled": True,
        "sslRequired": "none",  # the local stack listens on 127.0.0.1 over plain HTTP
        "accessTokenLifespan": 900,
        # As long as a web session may last, idle and in all (WEB_SESSION_IDLE_MINUTES,
        # WEB_SESSION_HOURS): the refresh token must outlive neither less nor more.
        "ssoSessionIdleTimeout": 7200,
        "ssoSessionMaxLifespan": 28800,
        "passwordPolicy": LOCAL_PASSWORD_POLICY,
        "registrationAllowed": False,
        "components": {
            "org.keycloak.userprofile.UserProfileProvider": [
                {
                    "providerId": "declarative-user-profile",
                    "subComponents": {},
                    "config": {"kc.user.profile.config": [json.dumps(_user_profile())]},
                }
            ]
        },
        "clients": [
            cli,
            _confidential_client(INTEGRATION_CLIENT, integration_secret, audience),
            _confidential_client(MONITORING_CLIENT, monitoring_secret, audience),
            web,
        ],
    }


realm = realm_representation
