"""huisacademie: up, down, status, demo, token, topics, serve, portfolio rebuild, dlt."""

import argparse
import asyncio
import os
import sys
import time

from contracts.topics import all_topics
from huisacademie.identity import FOR_ROLE
from huisacademie.stack import StackError
from huisacademie.stack.topics import create_topics
from huisacademie.system import SERVICES, System, demo_system


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="huisacademie", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start Kafka, PostgreSQL and the three services (local stack)")
    commands.add_parser("down", help="stop everything `up` started")
    commands.add_parser("status", help="show what runs")
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
    args = parser.parse_args(argv)
    try:
        _run(args.command, args)
    except StackError as e:
        print(f"huisacademie {args.command}: {e}", file=sys.stderr)
        sys.exit(1)


def _run(command: str, args: argparse.Namespace) -> None:
    system = demo_system()
    if command == "up":
        started = time.monotonic()
        print("starting PostgreSQL and Kafka ...", flush=True)
        system.start_infrastructure()
        print("starting the services ...", flush=True)
        system.start_services()
        for name in SERVICES:
            print(f"  {name:<11} {system.url(name)}  (docs: {system.url(name)}/docs)")
        keycloak = system.layout.keycloak_url
        print(f"  {'sign-in':<11} {keycloak}/realms/huisacademie  (admin: {keycloak}/admin)")
        print(f"up in {time.monotonic() - started:.1f} s; logs in {system.layout.logs_dir}")
    elif command == "down":
        system.stop()
        print("stopped")
    elif command == "status":
        for name, state in system.status().items():
            print(f"{name:<11} {state}")
    elif command == "demo":
        from huisacademie import demo

        sign_in = demo.SignIn(system.layout.keycloak_url, system.directory_url)
        demo.run(demo.Endpoints(*(system.url(n) for n in SERVICES)), sign_in)
    elif command == "token":
        print(_token(system, args.role, args.staff))
    elif command == "topics":
        bootstrap = _bootstrap(system)
        if not asyncio.run(create_topics(bootstrap, dict(all_topics()), args.replication)):
            raise StackError(f"topics created on {bootstrap}, but not every partition has a leader")
        print(f"topics ready on {bootstrap}: {', '.join(name for name, _ in all_topics())}")
    elif command == "portfolio":
        from huisacademie.rebuild import rebuild_portfolio

        rebuild_portfolio({**system.service_env(), **os.environ})
    elif command == "dlt":
        _dead_letters(args.action, args.topic, bootstrap=_bootstrap(system))
    elif command == "serve":
        from huisacademie.serve import serve

        serve(args.service)


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


def _bootstrap(system: System) -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", system.kafka_bootstrap)


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
