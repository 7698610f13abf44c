"""The web application's own settings (WEB_*), beside those every service has."""

import base64
from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people's browsers reach the web application: the sign-in's"
        " redirect address and the links in e-mail are made from it.",
    )
    oidc_issuer: str = Field(
        default="", description="The identity provider people sign in with (its issuer)."
    )
    oidc_client_id: str = "huisacademie-web"
    oidc_client_secret: SecretStr = Field(default=SecretStr(""), repr=False)
    apis: dict[str, str] = Field(
        default_factory=dict,
        description='The services\' addresses, as JSON: {"catalogue": "https://…", …}.',
    )
    session_key: SecretStr = Field(
        default=SecretStr(""),
        description="Seals the tokens kept with each session: 32 bytes, URL-safe base64.",
        repr=False,
    )
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    """A session ends this long after sign-in, whatever happens."""
    session_idle_minutes: float = Field(default=120.0, gt=0)
    """…and this long after the last request."""
    cookie_secure: bool = True
    smtp_host: str = Field(default="127.0.0.1", description="The mail server e-mail goes out by.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = Field(
        default=False, description="Upgrade the connection with STARTTLS before sending."
    )
    smtp_username: str = Field(default="", description="Sign in to the mail server (none: not).")
    smtp_password: SecretStr = Field(default=SecretStr(""), repr=False)
    mail_from: str = Field(
        default="Huisacademie <huisacademie@voorbeeld.nl>",
        description="The sender of every message; its domain also ends each Message-ID.",
    )
    mail_kept_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Sent mail is deleted this long after it was sent; mail never sent, this"
        " long after it was made (docs/privacy.md).",
    )
    mail_sweep_s: float = Field(
        default=5.0, gt=0, description="How often the mail job looks for notices and mail due."
    )

    def key(self) -> bytes:
        raw = self.session_key.get_secret_value()
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)) if raw else b""
        if len(key) != 32:
            raise ValueError("WEB_SESSION_KEY must be 32 bytes, URL-safe base64")
        return key


@lru_cache(maxsize=1)
def config() -> WebConfig:
    return WebConfig()
