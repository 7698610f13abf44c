"""What makes one service, as data: its name and port, its store, routes, subscriptions and
journal. The shared runtime (runtime.py, http.py) builds the service from it; each
service's app.py holds its definition."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar

import asyncpg
from fastapi import APIRouter
from faststream.kafka import KafkaBroker
from pydantic_settings import SettingsConfigDict

from services.shared.consumer import EventConsumer, Handlers
from services.shared.db import SHARED_MIGRATIONS, Connection
from services.shared.identity.access import Policy
from services.shared.identity.directory import Directory
from services.shared.privacy.sealing import Sealer
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Claim, Database, Journal

S = TypeVar("S")
SERVICES = Path(__file__).resolve().parent.parent
"""Where the services live: services/<name>/migrations holds each one's SQL."""


@dataclass(frozen=True)
class Subscription:
    """One consumer group of a service: the topics it reads, and the service's handler map
    (events of other types on those topics are passed over)."""

    group: str
    topics: tuple[str, ...]
    handlers: Handlers


@dataclass(frozen=True)
class Job(Generic[S]):
    """Work a service does on a schedule, besides answering requests and events: run once
    the service is up, then again every `every_s(settings)` seconds, on every instance
    (the work itself sees to it that one instance at a time does it)."""

    name: str
    run: Callable[[Database[S], Directory, ServiceSettings], Awaitable[object]]
    every_s: Callable[[ServiceSettings], float]


@dataclass(frozen=True)
class ServiceDefinition(Generic[S]):
    """What makes one service."""

    name: str
    """Also its settings' prefix (CATALOGUE_...) and its events' source."""
    http_port: int
    """The port it listens on unless <NAME>_HTTP_PORT says otherwise."""
    about: str
    """What it does, in a sentence: the description of its HTTP API."""
    store: Callable[[Connection], S]
    """The service's store on a connection: what its units of work hold."""
    router: APIRouter
    """Its HTTP routes (every service also answers /health and /metrics)."""
    policy: Policy
    """Who may use each of its routes (api/policy.py): docs/security.md shows them all."""
    subscriptions: tuple[Subscription, ...] = ()
    journal: Journal[S] | None = None
    """The service's own record of the events it makes and applies, if it keeps one."""
    claim: Claim[S] | None = None
    """Where its consumers record what they apply, when a journal's unique event id does
    (unit_of_work.Claim); None: the inbox."""
    seals: bool = False
    """Whether it seals or reads what people wrote: then it needs the key store, and
    waits for one (KEYSTORE_DATABASE_URL, KEYSTORE_MASTER_KEY) rather than lose text."""
    jobs: tuple[Job[S], ...] = ()
    pages: APIRouter | None = None
    """Pages for people in a browser (the web application's): signed in by a session of
    their own rather than a bearer token, so outside the policy's gate."""
    max_request_bytes: int = 1 << 20
    """Request bodies beyond this are refused (413) before they are read whole or parsed."""

    @property
    def migrations(self) -> Path:
        return SERVICES / self.name / "migrations"

    @cached_property
    def settings(self) -> type[ServiceSettings]:
        """Its settings: ServiceSettings read from <NAME>_* variables, with its port."""
        namespace: dict[str, Any] = {
            "__module__": __name__,
            "__annotations__": {"http_port": int},
            "model_config": SettingsConfigDict(env_prefix=f"{self.name.upper()}_", extra="ignore"),
            "http_port": self.http_port,
        }
        return type(f"{self.name.title()}Settings", (ServiceSettings,), namespace)

    @property
    def source(self) -> str:
        """The CloudEvents source of the events this service publishes."""
        return f"/huisacademie/{self.name}"

    def database(
        self,
        pool: asyncpg.Pool,
        sealer: Sealer | None = None,
        directory: Directory | None = None,
        store: Callable[[Connection], S] | None = None,
    ) -> Database[S]:
        """Its units of work on `pool`; `store`: another store than its own (a rebuild's)."""
        return Database(
            pool, self.source, store or self.store, self.journal, sealer, directory, self.claim
        )

    def consumer(
        self,
        subscription: Subscription,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        settings: ServiceSettings,
        sealer: Sealer | None = None,
        directory: Directory | None = None,
    ) -> EventConsumer:
        """A consumer of the subscription, not yet subscribed."""
        return EventConsumer(
            subscription.group,
            self.database(pool, sealer, directory),
            broker,
            subscription.handlers,
            max_attempts=settings.consumer_max_attempts,
            handler_timeout=settings.handler_timeout_s,
        )


def database_migrations(definition: ServiceDefinition[Any]) -> list[Path]:
    return [SHARED_MIGRATIONS, definition.migrations]
