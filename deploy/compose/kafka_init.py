"""The compose board's Kafka, once its three nodes answer (the `kafka-init` service, in the
huisacademie image): the topics of contracts/topics.py (replication factor 3, min.insync.replicas
2), each service's SCRAM credential (from <SERVICE>_KAFKA_PASSWORD; one that exists is kept)
and its ACLs (huisacademie/stack/acls.py). Signs in as the operator (KAFKA_USERNAME,
KAFKA_PASSWORD, KAFKA_CA_FILE). Safe to run again."""

from __future__ import annotations

import asyncio
import os
import time

from contracts.topics import all_topics
from huisacademie.serve import SERVICES
from huisacademie.stack.acls import admin_client, ensure_credentials, grant, service_grants
from huisacademie.stack.topics import create_topics
from services.shared.kafka_access import KafkaCredentials

REPLICATION = 3
TIMEOUT_S = 300.0


def main() -> None:
    operator = KafkaCredentials.from_env()
    if operator is None:
        raise SystemExit("set KAFKA_USERNAME, KAFKA_PASSWORD and KAFKA_CA_FILE (the operator)")
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    deadline = time.monotonic() + TIMEOUT_S
    while not asyncio.run(create_topics(bootstrap, dict(all_topics()), REPLICATION, operator)):
        if time.monotonic() > deadline:
            raise SystemExit(f"the topics have no leaders after {TIMEOUT_S:.0f} s")
        time.sleep(2)
    admin = admin_client(bootstrap, operator)
    passwords = {name: os.environ[f"{name.upper()}_KAFKA_PASSWORD"] for name in SERVICES}
    made = ensure_credentials(admin, passwords)
    grant(
        admin,
        [
            g
            for name, definition in SERVICES.items()
            for g in service_grants(name, [(s.group, s.topics) for s in definition.subscriptions])
        ],
    )
    print(f"topics ready; credentials made for {made or 'nobody new'}; ACLs granted")


if __name__ == "__main__":
    main()
