"""The local infrastructure stack (Apache Kafka + PostgreSQL) without Docker."""

from huisacademie.stack.jars import ensure_kafka_jars
from huisacademie.stack.kafka import start_kafka, start_node, stop_kafka
from huisacademie.stack.keycloak import ensure_keycloak, start_keycloak, stop_keycloak
from huisacademie.stack.layout import (
    StackError,
    StackLayout,
    demo_layout,
    repo_root,
    test_layout,
)
from huisacademie.stack.pginstall import ensure_postgres_installed
from huisacademie.stack.postgres import start_postgres, stop_postgres
from huisacademie.stack.processes import (
    process_status,
    start_process,
    stop_process,
    wait_for_port,
)

__all__ = [
    "StackError",
    "StackLayout",
    "demo_layout",
    "ensure_kafka_jars",
    "ensure_keycloak",
    "ensure_postgres_installed",
    "process_status",
    "repo_root",
    "start_kafka",
    "start_keycloak",
    "start_node",
    "start_postgres",
    "start_process",
    "stop_kafka",
    "stop_keycloak",
    "stop_postgres",
    "stop_process",
    "test_layout",
    "wait_for_port",
]
