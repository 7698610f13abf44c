"""The whole system on one machine: infrastructure, then the three services as processes."""

import asyncio
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

import httpx

from contracts.topics import all_topics
from huisacademie import stack
from huisacademie.stack import StackError, StackLayout
from huisacademie.stack.databases import DIRECTORY, SEALING, Databases
from huisacademie.stack.kafka_access import KafkaAccess, kafka_access
from huisacademie.stack.layout import SERVICES as SERVICES
from huisacademie.stack.lrs import LRS_PROCESS, start_lrs, stop_lrs
from huisacademie.stack.mail import MAIL_PROCESS, start_mail_catcher, stop_mail_catcher
from huisacademie.stack.passwords import keystore_master_key, web_session_key
from huisacademie.stack.postgres import local_databases
from huisacademie.stack.proxy import PROXY_PROCESS, start_proxy, stop_proxy
from services.shared.identity.tokens import TrustedIssuer

DEMO_PORTS: Mapping[str, int] = {
    "catalogue": 8001, "enrollment": 8002, "portfolio": 8003, "subscriptions": 8004, "web": 8000
}  # fmt: skip
TEST_PORTS: Mapping[str, int] = {
    "catalogue": 18001, "enrollment": 18002, "portfolio": 18003, "subscriptions": 18004,
    "web": 18000,
}  # fmt: skip


@dataclass(frozen=True)
class System:
    """The three services as processes; pid files and logs live under the layout's root.

    The services reach Kafka and PostgreSQL at the given addresses: the local stack's, or
    any existing servers. Each process gets only its own secrets: its database role, its
    Kafka principal.
    """

    layout: StackLayout
    ports: Mapping[str, int]
    kafka_bootstrap: str
    databases: Databases
    """Each service's database and the directory (who each signed-in caller is)."""
    issuers: tuple[TrustedIssuer, ...]
    """The identity providers whose tokens the services accept."""
    docs: bool = False
    """Serve /docs without a token (a developer's stack)."""
    kafka_access: KafkaAccess | None = None
    """Each service's own Kafka principal (None: a broker without sign-in)."""
    web_issuer: str | None = None
    """Where people sign in to the web application (None: the first of `issuers`)."""
    instances: int = 1
    """Processes per service. With more than one, HAProxy takes each service's port and
    instance i listens 10 * i above it."""

    @classmethod
    def on_local_stack(
        cls, layout: StackLayout, ports: Mapping[str, int], instances: int = 1
    ) -> "System":
        from huisacademie.identity import demo_issuer

        issuers = (demo_issuer(layout.keycloak_url),)
        return cls(
            layout, ports, layout.kafka_bootstrap, local_databases(layout), issuers, docs=True,
            kafka_access=kafka_access(), instances=instances,
        )  # fmt: skip

    def processes(self, name: str) -> dict[str, int]:
        """Service `name`'s processes, by process name, with the port each listens on."""
        if self.instances == 1:
            return {name: self.ports[name]}
        return {f"{name}-{i}": self.ports[name] + 10 * i for i in range(1, self.instances + 1)}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def database_urls(self) -> dict[str, str]:
        """Each service's database, as the service's own role."""
        return self.databases.service_urls

    @property
    def directory_maintenance_url(self) -> str:
        """The directory as the role that maintains it (the migration role, its owner);
        never a service's: services read it as their own role."""
        return self.databases.migration_url(DIRECTORY)

    def service_env(self, name: str, port: int | None = None) -> dict[str, str]:
        """What service `name` is told (an instance of it listening on `port`): its database
        and the directory as its own role."""
        prefix = name.upper()
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "LOG_JSON": "true",
            "OIDC_ISSUERS": json.dumps([i.model_dump() for i in self.issuers]),
            "HTTP_DOCS": "true" if self.docs else "false",
            f"{prefix}_DATABASE_URL": self.databases.service_url(name),
            "DIRECTORY_DATABASE_URL": self.databases.directory_url(name),
            f"{prefix}_HTTP_PORT": str(port or self.ports[name]),
            **keystore_env(self.databases, name),
            **self._portfolio_env(name),
            **self._web_env(name),
            **self._subscriptions_env(name),
        }

    def _subscriptions_env(self, name: str) -> dict[str, str]:
        """Subscribers on this machine are allowed (the demo's receiver, the tests', the
        LRS); failed deliveries come back within half a minute, and a subscription fails
        after ten minutes (in production: up to an hour, after a day)."""
        if name != "subscriptions":
            return {}
        return {
            "SUBSCRIPTIONS_ALLOWED_NETWORKS": json.dumps(["127.0.0.0/8", "::1/128"]),
            "SUBSCRIPTIONS_PUBLIC_URL": self.url("web") if "web" in self.ports else "",
            "SUBSCRIPTIONS_RETRY_BASE_S": "0.5",
            "SUBSCRIPTIONS_RETRY_CAP_S": "8",
            "SUBSCRIPTIONS_DELIVERY_TIMEOUT_S": "3",
            "SUBSCRIPTIONS_LEASE_S": "10",
            "SUBSCRIPTIONS_FAILING_AFTER_MINUTES": "10",
        }

    def _portfolio_env(self, name: str) -> dict[str, str]:
        """The portfolio gathers every other service's part of a person's data export, and
        on a local stack its retention job looks every few seconds, so that a departure
        with a short period is seen through at once (in production, hourly)."""
        if name != "portfolio":
            return {}
        parts = {other: self.url(other) for other in self.ports if other != name}
        return {"EXPORT_PARTS_FROM": json.dumps(parts), "PORTFOLIO_RETENTION_SWEEP_S": "2"}

    def _web_env(self, name: str) -> dict[str, str]:
        """The web application signs people in at the first trusted issuer (the board's
        identity provider) and calls the other services as them."""
        if name != "web":
            return {}
        from huisacademie.identity import WEB_CLIENT, WEB_SECRET

        apis = {other: self.url(other) for other in self.ports if other != name}
        return {
            "WEB_PUBLIC_URL": self.url(name),
            "WEB_OIDC_ISSUER": self.web_issuer or self.issuers[0].issuer,
            "WEB_OIDC_CLIENT_ID": WEB_CLIENT,
            "WEB_OIDC_CLIENT_SECRET": WEB_SECRET,
            "WEB_APIS": json.dumps(apis),
            "WEB_SESSION_KEY": web_session_key(),
            # The stack's mail catcher (huisacademie/stack/mail.py) takes every message, at
            # once: the mail job looks every second (in production, every few).
            "WEB_SMTP_HOST": "127.0.0.1",
            "WEB_SMTP_PORT": str(self.layout.smtp_port),
            "WEB_MAIL_SWEEP_S": "1",
        }

    def rebuild_env(self) -> dict[str, str]:
        """What `huisacademie portfolio rebuild` is told: the portfolio's database and an
        administrative role that makes the fresh one."""
        return {
            **self.service_env("portfolio"),
            "ADMIN_DATABASE_URL": self.databases.admin_url,
        }

    def migrate(self) -> dict[str, list[str]]:
        """`huisacademie migrate` on this system's databases (made when missing)."""
        from huisacademie import migrate

        return asyncio.run(migrate.prepare(self.databases, fresh=False))

    def start_infrastructure(self) -> None:
        """PostgreSQL (its databases migrated), Kafka, the identity provider, with the
        demo board's realm, the mail catcher and the learning record store."""
        from huisacademie.identity import provision_demo
        from huisacademie.oidc import Keycloak

        stack.ensure_postgres_installed()
        stack.start_postgres(self.layout)
        self.migrate()
        stack.ensure_kafka_jars()
        stack.start_kafka(self.layout, all_topics())
        stack.ensure_keycloak()
        url = stack.start_keycloak(self.layout, self.layout.keycloak_port)
        provision_demo(Keycloak(url), self.directory_maintenance_url)
        start_mail_catcher(self.layout)
        start_lrs(self.layout)

    def process_env(self, name: str, port: int | None = None) -> dict[str, str]:
        """A service process's environment, with its own database role and Kafka principal
        and no other."""
        env = {**without_credentials(os.environ), **self.service_env(name, port)}
        if self.kafka_access is not None:
            env.update(self.kafka_access.service_env(name))
        return env

    def start_service(self, name: str) -> int:
        """Every process of service `name`; the pid of the last."""
        argv = [sys.executable, "-m", "huisacademie", "serve", name]
        pid = 0
        for process, port in self.processes(name).items():
            env = self.process_env(name, port)
            pid = stack.start_process(process, argv, self.layout, env=env)
        return pid

    def start_services(self, timeout: float = 90.0) -> None:
        for name in SERVICES:
            self.start_service(name)
        if self.instances > 1:
            backends = {name: list(self.processes(name).values()) for name in SERVICES}
            start_proxy(self.layout, {name: self.ports[name] for name in SERVICES}, backends)
        for name in SERVICES:
            self.wait_ready(name, timeout)

    def wait_ready(self, name: str, timeout: float) -> None:
        """Until every process of service `name` is up (ready and consuming), and its
        address answers."""
        deadline = time.monotonic() + timeout
        urls = {p: f"http://127.0.0.1:{port}" for p, port in self.processes(name).items()}
        if self.instances > 1:
            urls[PROXY_PROCESS] = self.url(name)
        for process, url in urls.items():
            while not self._up(process, url):
                if time.monotonic() > deadline:
                    raise StackError(
                        f"{process} not ready after {timeout:.0f} s; see {self.layout.logs_dir}"
                    )
                time.sleep(0.2)

    def _up(self, process: str, url: str) -> bool:
        if stack.process_status(process, self.layout) is None:
            raise StackError(f"{process} exited; see {self.layout.logs_dir / process}.log")
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop_services(self) -> None:
        """Every service process this stack may have started, in either shape, and the proxy."""
        stop_proxy(self.layout)
        for name in reversed(SERVICES):
            for process in (name, *(f"{name}-{i}" for i in range(1, MAX_INSTANCES + 1))):
                stack.stop_process(process, self.layout)

    def stop(self) -> None:
        from huisacademie.demo.subscribers import RECEIVER_PROCESS

        self.stop_services()
        stack.stop_process(RECEIVER_PROCESS, self.layout)
        stop_mail_catcher(self.layout)
        stop_lrs(self.layout)
        stack.stop_keycloak(self.layout)
        for shape in (1, CLUSTER_BROKERS):  # whichever ran
            stack.stop_kafka(replace(self.layout, brokers=shape))
        stack.stop_postgres(self.layout)
        (self.layout.root / CLUSTER_MARK).unlink(missing_ok=True)

    def status(self) -> dict[str, str]:
        report = {}
        nodes = [n.process for n in self.layout.kafka_nodes]
        proxy = [PROXY_PROCESS] if self.instances > 1 else []
        services = [p for name in SERVICES for p in self.processes(name)]
        for name in (*nodes, "keycloak", MAIL_PROCESS, LRS_PROCESS, *proxy, *services):
            pid = stack.process_status(name, self.layout)
            report[name] = f"running (pid {pid})" if pid else "stopped"
        report["postgres"] = (
            "running" if stack.processes.port_open("127.0.0.1", self.layout.pg_port) else "stopped"
        )
        return report


CLUSTER_MARK = "cluster"
"""A file under the stack's root while `up --cluster` holds: every later command of the
stack (`up`, `demo`, `down`) sees the cluster, until `down` removes it."""
CLUSTER_BROKERS = 3
CLUSTER_INSTANCES = 2
MAX_INSTANCES = 3


def demo_system(cluster: bool = False) -> System:
    """The demo's system: one broker and one process per service, or, once `up --cluster`
    has asked for it, three Kafka nodes and two instances of every service behind HAProxy."""
    layout = stack.demo_layout()
    mark = layout.root / CLUSTER_MARK
    if cluster and not mark.is_file():
        if any(stack.process_status(name, layout) for name in ("kafka", *SERVICES)):
            raise StackError("the stack runs with one broker: `huisacademie down` it first")
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.write_text(f"{CLUSTER_BROKERS} Kafka nodes, {CLUSTER_INSTANCES} instances each\n")
    if not mark.is_file():
        return System.on_local_stack(layout, DEMO_PORTS)
    clustered = replace(layout, brokers=CLUSTER_BROKERS)
    return System.on_local_stack(clustered, DEMO_PORTS, instances=CLUSTER_INSTANCES)


def keystore_env(databases: Databases, service: str) -> dict[str, str]:
    """How a service that seals or reads what people wrote reaches the key store."""
    if service not in SEALING:
        return {}
    return {
        "KEYSTORE_DATABASE_URL": databases.keystore_url(),
        "KEYSTORE_MASTER_KEY": keystore_master_key(),
    }


_SECRETS = (
    "KAFKA_USERNAME", "KAFKA_PASSWORD", "DATABASE_URL", "MASTER_KEY", "HUISACADEMIE_TEST_POSTGRES"
)  # fmt: skip


def without_credentials(env: Mapping[str, str]) -> dict[str, str]:
    """The environment less any Kafka password or database URL (the operator's, the
    administrator's, the migration role's, another service's)."""
    return {k: v for k, v in env.items() if not k.endswith(_SECRETS)}
