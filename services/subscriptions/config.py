"""The subscriptions service's own settings (SUBSCRIPTIONS_*), beside those every service has."""

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SubscriptionsConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSCRIPTIONS_", extra="ignore")

    allowed_networks: list[IPv4Network | IPv6Network] = Field(
        default_factory=list,
        description='Networks of our own that subscribers may be in, as JSON: ["127.0.0.0/8"].'
        " Every other private, loopback, link-local or reserved address is refused.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach huisacademie: xAPI activity ids are made from it.",
    )
    delivery_timeout_s: float = Field(default=10.0, gt=0, le=60)
    """A subscriber that has not answered within this is tried again later."""
    concurrency: int = Field(default=64, ge=1, le=1000)
    """Deliveries in flight at once, per instance."""
    per_subscription: int = Field(default=4, ge=1, le=100)
    """…of which at most this many to one subscription (the rest are free for the others)."""
    retry_base_s: float = Field(default=2.0, gt=0)
    retry_cap_s: float = Field(default=3600.0, gt=0)
    """Failed deliveries are tried again after base·2ⁿ seconds, at most this, with jitter."""
    failing_after_minutes: float = Field(default=24 * 60.0, gt=0)
    """A subscription whose deliveries have failed this long is marked failing: it gets no
    more attempts until an administrator resumes it; nothing is dropped."""
    log_kept_days: int = Field(default=30, ge=1, le=3650)
    """Deliveries made, with their attempts, are deleted after this (docs/privacy.md)."""
    history_kept_days: int = Field(default=730, ge=1, le=3650)
    """Events are kept this long for replays and backfills (docs/privacy.md)."""
    secret_overlap_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    """After a rotation the old secret signs too, for this long."""
    lease_s: float = Field(default=60.0, gt=0)
    """A delivery taken by an instance that dies is taken again after this."""

    @model_validator(mode="after")
    def _lease_outlasts_a_delivery(self) -> "SubscriptionsConfig":
        if self.lease_s <= self.delivery_timeout_s + 1:
            raise ValueError("lease_s must exceed delivery_timeout_s by more than a second")
        return self


@lru_cache
def config() -> SubscriptionsConfig:
    return SubscriptionsConfig()
