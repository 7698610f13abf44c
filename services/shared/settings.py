"""Typed settings, read from the environment."""

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.shared.identity.tokens import TrustedIssuer
from services.shared.kafka_access import KafkaCredentials
from services.shared.privacy.keys import master_key


class ServiceSettings(BaseSettings):
    """Settings every service has. A service subclasses it with its own env prefix
    (CATALOGUE_, ENROLLMENT_, PORTFOLIO_) and port; Kafka's address is shared."""

    model_config = SettingsConfigDict(extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"),
    )
    kafka_username: str | None = Field(
        default=None, description="The service's own Kafka principal (<SERVICE>_KAFKA_USERNAME)."
    )
    kafka_password: str | None = Field(default=None, repr=False)
    kafka_ca_file: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_CA_FILE"),
        description="The CA that signed the broker's certificate: with a username and"
        " password, Kafka is reached over TLS with SASL/SCRAM-SHA-512; without, in plaintext.",
    )
    database_url: str = Field(
        description="Required, from <SERVICE>_DATABASE_URL, as the service's own role: no"
        " default points anywhere.",
        repr=False,
    )
    directory_database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DIRECTORY_DATABASE_URL"),
        description="The directory's database (who is who), read by every service as its own role.",
        repr=False,
    )
    keystore_database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KEYSTORE_DATABASE_URL"),
        description="The key store's database, as its own role: the services that seal or"
        " read what people wrote (enrollment, portfolio). Without it, an event carrying"
        " such text is refused.",
        repr=False,
    )
    keystore_master_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("KEYSTORE_MASTER_KEY"),
        description="Wraps every person's key: 32 bytes, URL-safe base64.",
    )
    keystore_previous_master_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("KEYSTORE_PREVIOUS_MASTER_KEY"),
        description="While rotating the master key: the one rotated away from, still read"
        " until `huisacademie keystore rewrap` has wrapped every key by the new one.",
    )
    oidc_issuers: tuple[TrustedIssuer, ...] = Field(
        default=(),
        validation_alias=AliasChoices("OIDC_ISSUERS"),
        description="The identity providers whose tokens are accepted, as JSON: none"
        " trusted, every request but /health is refused.",
    )
    oidc_audience: str = Field(
        default="huisacademie", validation_alias=AliasChoices("OIDC_AUDIENCE")
    )
    oidc_leeway_s: float = Field(
        default=5.0, ge=0, le=60, validation_alias=AliasChoices("OIDC_LEEWAY_S")
    )
    export_parts_from: dict[str, str] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("EXPORT_PARTS_FROM"),
        description="The portfolio only: the other services whose part of a person's data"
        ' export it gathers into one bundle, as JSON ({"enrollment": "https://…"}).',
    )
    retention_after_leaving_days: int = Field(
        default=730,
        ge=0,
        le=3650,
        description="The portfolio only: how long a dossier is kept after the person leaves,"
        " for a board that set no period of its own (docs/privacy.md: why two years).",
    )
    retired_kept_days: int = Field(
        default=7,
        ge=0,
        le=365,
        description="The portfolio only: how long `portfolio rebuild` keeps the database it"
        " replaced (everything in clear), to go back to; the next rebuild drops older ones.",
    )
    retention_sweep_s: float = Field(
        default=3600.0,
        gt=0,
        description="The portfolio only: how often the retention job looks for people to erase.",
    )
    http_docs: bool = Field(
        default=False,
        validation_alias=AliasChoices("HTTP_DOCS"),
        description="Serve /docs and /openapi.json without a token (a developer's stack).",
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
    outbox_published_kept_days: int = Field(
        default=7, ge=1, le=3650, description="Published outbox rows are deleted after this."
    )
    outbox_parked_kept_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Rows Kafka refused (parked: /health and the outbox metric show them) are"
        " deleted after this, unseen to: they hold personal data too.",
    )

    def kafka_credentials(self) -> KafkaCredentials | None:
        if self.kafka_username and self.kafka_password and self.kafka_ca_file:
            return KafkaCredentials(self.kafka_username, self.kafka_password, self.kafka_ca_file)
        return None

    def master_key(self) -> bytes | None:
        if self.keystore_master_key is None:
            return None
        return master_key(self.keystore_master_key.get_secret_value())

    def previous_master_key(self) -> bytes | None:
        if self.keystore_previous_master_key is None:
            return None
        return master_key(self.keystore_previous_master_key.get_secret_value())
