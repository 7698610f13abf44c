"""huisacademie: up, down, status, migrate, demo, token, topics, serve, portfolio rebuild,
dlt, subscriber, privacy export and erase, keystore rewrap."""

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import asyncpg
from confluent_kafka import KafkaException

from contracts.topics import all_topics
from huisacademie.identity import FOR_ROLE
from huisacademie.stack import StackError
from huisacademie.stack.kafka_access import kafka_access, sign_in_as_operator
from huisacademie.stack.mail import maildir
from huisacademie.stack.topics import create_topics
from huisacademie.system import SERVICES, System, demo_system


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="huisacademie", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start Kafka, PostgreSQL and the services (local stack)")
    up.add_argument(
        "--cluster", action="store_true",
        help="three Kafka nodes and two instances of every service behind HAProxy; the stack"
        " stays a cluster (for `up`, `demo`, `status`) until `down`",
    )  # fmt: skip
    commands.add_parser("down", help="stop everything `up` started")
    commands.add_parser("status", help="show what runs")
    commands.add_parser(
        "migrate",
        help="apply the databases' migrations as the migration role and grant each service's"
        " role its rows (the local stack's, or the *_MIGRATION_DATABASE_URL databases)",
    )
    commands.add_parser("demo", help="play the demo scenario against the running system")
    token = commands.add_parser(
        "token", help="print an access token of the local stack's identity provider"
    )
    token.add_argument(
        "--as", dest="role", choices=[r.value for r in FOR_ROLE], default="staff",
        help="sign in as the demo board's person (or client) with this role",
    )  # fmt: skip
    token.add_argument(
        "--staff", help="sign in as the demo person with this staff id (or username) instead"
    )
    topics = commands.add_parser(
        "topics", help="create the event and dead-letter topics on KAFKA_BOOTSTRAP_SERVERS"
    )
    topics.add_argument("--replication", type=int, default=1, help="replication factor")
    serve = commands.add_parser("serve", help="run one service in the foreground")
    serve.add_argument("service", choices=SERVICES)
    portfolio = commands.add_parser("portfolio", help="maintain the portfolio's read models")
    portfolio.add_argument(
        "action", choices=["rebuild"], help="replay every event into a fresh read model"
    )
    dlt = commands.add_parser("dlt", help="dead letters on KAFKA_BOOTSTRAP_SERVERS")
    dlt.add_argument(
        "action",
        choices=["list", "replay"],
        help="list them with their reasons, or send them back to their topic after a fix",
    )
    dlt.add_argument("topic", help="an event topic (or its .dlt topic), e.g. portfolio.entries")
    subscriber = commands.add_parser(
        "subscriber", help="Kafka principals of external tools on KAFKA_BOOTSTRAP_SERVERS"
    )
    subscriber.add_argument("action", choices=["add", "remove"])
    subscriber.add_argument("name", help="the tool's principal (and its consumer groups' prefix)")
    subscriber.add_argument(
        "--topics", default="", help="comma-separated event topics it may read (add)"
    )
    privacy = commands.add_parser(
        "privacy", help="people's rights on the local stack, as the demo board's privacy officer"
    )
    privacy.add_argument("action", choices=["export", "erase"])
    privacy.add_argument("staff", help="the staff id (or demo username) of the person")
    privacy.add_argument("--reason", help="erase: why (required), kept with the erasure")
    privacy.add_argument(
        "--out", help="export: the zip to write (default huisacademie-export-STAFF.zip)"
    )
    keystore = commands.add_parser(
        "keystore",
        help="the key store against your own servers: rewrap every key by a new master key"
        " (KEYSTORE_DATABASE_URL, KEYSTORE_MASTER_KEY: the new one,"
        " KEYSTORE_PREVIOUS_MASTER_KEY: the old one)",
    )
    keystore.add_argument("action", choices=["rewrap"])
    args = parser.parse_args(argv)
    if (
        args.command not in ("serve", "migrate", "keystore")
        and "KAFKA_BOOTSTRAP_SERVERS" not in os.environ
    ):
        # The local stack: the command line's Kafka clients sign in as the operator.
        sign_in_as_operator(kafka_access())
    try:
        _run(args.command, args)
    except StackError as e:
        print(f"huisacademie {args.command}: {e}", file=sys.stderr)
        sys.exit(1)


def _run(command: str, args: argparse.Namespace) -> None:
    if command == "serve":
        from huisacademie.serve import serve

        serve(args.service)
    elif command == "migrate":
        _migrate()
    elif command == "keystore":
        print(f"rewrapped {asyncio.run(_rewrap())} key(s) by the new master key")
    elif command == "portfolio":
        from huisacademie.rebuild import rebuild_portfolio

        # Against servers of your own (PORTFOLIO_DATABASE_URL set), the environment only.
        own = "PORTFOLIO_DATABASE_URL" in os.environ
        rebuild_portfolio(
            dict(os.environ) if own else {**demo_system().rebuild_env(), **os.environ}
        )
    elif command == "subscriber":
        _subscriber(args.action, args.name, args.topics, bootstrap=_bootstrap())
    elif command == "topics":
        bootstrap = _bootstrap()
        if not asyncio.run(create_topics(bootstrap, dict(all_topics()), args.replication)):
            raise StackError(f"topics created on {bootstrap}, but not every partition has a leader")
        print(f"topics ready on {bootstrap}: {', '.join(name for name, _ in all_topics())}")
    elif command == "dlt":
        _dead_letters(args.action, args.topic, bootstrap=_bootstrap())
    else:
        _local_stack(command, args, demo_system(cluster=getattr(args, "cluster", False)))


def _local_stack(command: str, args: argparse.Namespace, system: System) -> None:
    """The commands of the local stack: up, down, status, demo, token, privacy."""
    if command == "up":
        started = time.monotonic()
        print("starting PostgreSQL and Kafka ...", flush=True)
        system.start_infrastructure()
        print("starting the services ...", flush=True)
        system.start_services()
        for name in SERVICES:
            about = "the pages people use" if name == "web" else f"docs: {system.url(name)}/docs"
            print(f"  {name:<11} {system.url(name)}  ({about})")
        keycloak = system.layout.keycloak_url
        print(f"  {'sign-in':<11} {keycloak}/realms/huisacademie  (admin: {keycloak}/admin)")
        mail = f"127.0.0.1:{system.layout.smtp_port}"
        print(f"  {'mail':<11} {mail}  (caught, not sent: {maildir(system.layout)})")
        nodes = len(system.layout.kafka_nodes)
        print(f"  {'kafka':<11} {system.kafka_bootstrap}  ({nodes} node{'s' * (nodes > 1)})")
        if system.instances > 1:
            print(f"  {system.instances} instances of every service behind HAProxy")
        print(f"up in {time.monotonic() - started:.1f} s; logs in {system.layout.logs_dir}")
    elif command == "down":
        system.stop()
        print("stopped")
    elif command == "status":
        for name, state in system.status().items():
            print(f"{name:<11} {state}")
    elif command == "demo":
        from huisacademie import demo

        sign_in = demo.SignIn(system.layout.keycloak_url, system.directory_maintenance_url)
        subscribed = demo.Subscribers(system.layout)
        demo.run(demo.Endpoints(*(system.url(n) for n in SERVICES)), sign_in, subscribed=subscribed)
    elif command == "token":
        print(_token(system, args.role, args.staff))
    elif command == "privacy" and args.action == "export":
        _export(system, args.staff, args.out)
    elif command == "privacy":
        if not args.reason:
            raise StackError("erase: say why with --reason")
        _erase(system, args.staff, args.reason)


def _migrate() -> None:
    """Against servers of your own when a *_MIGRATION_DATABASE_URL is set; else the local
    stack's (which must be up)."""
    from huisacademie import migrate

    try:
        if any(k.endswith("_MIGRATION_DATABASE_URL") for k in os.environ):
            applied = asyncio.run(migrate.run(migrate.environment_plan(os.environ)))
        else:
            applied = demo_system().migrate()
    except migrate.MigrationSettingsMissing as e:
        raise StackError(str(e)) from e
    except (OSError, asyncpg.PostgresError) as e:
        raise StackError(f"PostgreSQL did not take the migrations: {e}") from e
    for database, names in applied.items():
        print(f"{database:<11} {', '.join(names) if names else 'up to date'}")


async def _rewrap() -> int:
    """Master key rotation, step two of three: the services already read both keys
    (docs/privacy.md, "Rotating the master key")."""
    from services.shared.privacy import crypto, keys

    url = os.environ.get("KEYSTORE_DATABASE_URL")
    new, old = os.environ.get("KEYSTORE_MASTER_KEY"), os.environ.get("KEYSTORE_PREVIOUS_MASTER_KEY")
    if not (url and new and old):
        raise StackError(
            "set KEYSTORE_DATABASE_URL, KEYSTORE_MASTER_KEY (the new master key) and"
            " KEYSTORE_PREVIOUS_MASTER_KEY (the one it replaces)"
        )
    try:
        masters = keys.master_key(new), keys.master_key(old)
    except ValueError:
        masters = (b"", b"")
    if any(len(m) != crypto.KEY_BYTES for m in masters):
        raise StackError("each master key is 32 bytes, written in URL-safe base64")
    try:
        store = await keys.open_key_store(url, *masters)
    except (OSError, asyncpg.PostgresError) as e:
        raise StackError(f"the key store did not answer: {e}") from e
    try:
        return await store.rewrap()
    except keys.KeyStoreUnavailable as e:
        raise StackError(str(e)) from e
    finally:
        await store.close()


def _export(system: System, staff: str, out: str | None) -> None:
    import zipfile

    import httpx

    staff_id, headers = _as_privacy_officer(system, staff)
    answer = httpx.get(
        f"{system.url('portfolio')}/staff/{staff_id}/export.zip", headers=headers, timeout=120
    )
    if not answer.is_success:
        raise StackError(f"the portfolio refused ({answer.status_code}): {answer.text}")
    path = Path(out or f"huisacademie-export-{staff_id}.zip")
    # Personal data: readable by the one who asked for it only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was there before
    with os.fdopen(fd, "wb") as file:
        file.write(answer.content)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    files = sum(1 for n in names if n.startswith("files/"))
    print(f"wrote {path}: {len(names) - files} JSON documents and {files} file(s) of {staff_id}")


def _erase(system: System, staff: str, reason: str) -> None:
    import httpx

    staff_id, headers = _as_privacy_officer(system, staff)
    answer = httpx.post(
        f"{system.url('portfolio')}/staff/{staff_id}/erasure",
        json={"reason": reason},
        headers=headers,
        timeout=30,
    )
    if not answer.is_success:
        raise StackError(f"the portfolio refused ({answer.status_code}): {answer.text}")
    print(f"erased {staff_id} at {answer.json()['erased_at']}: key destroyed, forgotten")


def _as_privacy_officer(system: System, staff: str) -> tuple[str, dict[str, str]]:
    """The staff id (a demo username is looked up), and the demo board's privacy officer's
    authorization."""
    from huisacademie import identity

    staff_id = next((str(p.staff_id) for p in identity.PEOPLE if p.username == staff), staff)
    token = _token(system, "privacy_officer", None)
    return staff_id, {"Authorization": f"Bearer {token}"}


def _token(system: System, role: str, staff: str | None) -> str:
    from huisacademie import identity
    from huisacademie.oidc import Keycloak, KeycloakError
    from services.shared.identity.access import Role

    who = identity.FOR_ROLE[Role(role)]
    if staff is not None:
        found = [p.username for p in identity.PEOPLE if staff in (str(p.staff_id), p.username)]
        if not found:
            raise StackError(f"no demo person with staff id or username {staff}")
        who = found[0]
    try:
        with Keycloak(system.layout.keycloak_url) as keycloak:
            return identity.token(keycloak, who)
    except (KeycloakError, OSError) as e:
        raise StackError(f"the identity provider did not answer ({e}); is the stack up?") from e


def _subscriber(action: str, name: str, topics: str, *, bootstrap: str) -> None:
    import secrets

    from huisacademie.stack import acls
    from services.shared.kafka_access import KafkaCredentials

    operator = KafkaCredentials.from_env()
    if operator is None:
        raise StackError(
            "sign in as Kafka's operator: set KAFKA_USERNAME, KAFKA_PASSWORD, KAFKA_CA_FILE"
        )
    admin = acls.admin_client(bootstrap, operator)
    try:
        if action == "add":
            wanted = [t.strip() for t in topics.split(",") if t.strip()]
            if not wanted:
                raise StackError("name the topics it may read: --topics a,b")
            password = secrets.token_urlsafe(24)
            acls.add_subscriber(admin, name, password, wanted)
            print(f"subscriber {name} may read {', '.join(wanted)} in consumer groups {name}.*")
            print(f"  SASL/SCRAM-SHA-512 over TLS: username {name}, password {password}")
            print(f"  CA: {operator.ca_file}  (the password is shown only now)")
        else:
            removed = acls.remove_subscriber(admin, name)
            print(f"subscriber {name} removed: {removed} ACLs and its credential revoked")
    except ValueError as e:
        raise StackError(str(e)) from e
    except KafkaException as e:
        raise StackError(f"the broker refused: {e}") from e


def _bootstrap() -> str:
    if bootstrap := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return bootstrap
    return demo_system().kafka_bootstrap


def _dead_letters(action: str, topic: str, *, bootstrap: str) -> None:
    from huisacademie import dlt

    try:
        if action == "list":
            letters = asyncio.run(dlt.list_letters(bootstrap, topic))
            for letter in letters:
                print(letter.describe())
            print(f"{len(letters)} dead letters in {dlt.dead_letter_topic(topic)}")
        else:
            sent = asyncio.run(dlt.replay(bootstrap, topic))
            print(f"replayed {sent} dead letters from {dlt.dead_letter_topic(topic)}")
    except dlt.NoSuchTopic as e:
        raise StackError(str(e)) from e
