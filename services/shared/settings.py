"""Typed settings, read from the environment."""

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings every service has. A service subclasses it with its own env prefix
    (CATALOGUE_, ENROLLMENT_, PORTFOLIO_) and port; Kafka's address is shared."""

    model_config = SettingsConfigDict(extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"),
    )
    database_url: str = Field(
        description="Required, from <SERVICE>_DATABASE_URL: no default points anywhere."
    )
    http_host: str = "127.0.0.1"
    http_port: int
    log_level: str = Field(default="info", validation_alias=AliasChoices("LOG_LEVEL"))
    log_json: bool | None = Field(default=None, validation_alias=AliasChoices("LOG_JSON"))
    consumer_max_attempts: int = Field(
        default=6,
        ge=1,
        description="Tries of an event that keeps failing before it is dead-lettered.",
    )
    handler_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Longest one event may take to apply; kept far below Kafka's"
        " max.poll.interval.ms (300 s), so a slow handler never costs the consumer its group.",
    )
    database_command_timeout_s: float = Field(default=30.0, gt=0)
    shutdown_grace_s: float = Field(
        default=10.0, gt=0, description="How long in-flight events and the relay may finish."
    )
    outbox_batch_size: int = Field(default=500, ge=1)
