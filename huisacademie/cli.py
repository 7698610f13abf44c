"""huisacademie: up, down, status, demo, serve."""

import argparse
import sys
import time

from huisacademie.stack import StackError
from huisacademie.system import SERVICES, demo_system


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="huisacademie", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start Kafka, PostgreSQL and the three services (local stack)")
    commands.add_parser("down", help="stop everything `up` started")
    commands.add_parser("status", help="show what runs")
    commands.add_parser("demo", help="play the demo scenario against the running system")
    serve = commands.add_parser("serve", help="run one service in the foreground")
    serve.add_argument("service", choices=SERVICES)
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
        print(f"up in {time.monotonic() - started:.1f} s; logs in {system.layout.logs_dir}")
    elif command == "down":
        system.stop()
        print("stopped")
    elif command == "status":
        for name, state in system.status().items():
            print(f"{name:<11} {state}")
    elif command == "demo":
        from huisacademie import demo

        demo.run(demo.Endpoints(*(system.url(n) for n in SERVICES)))
    elif command == "serve":
        from huisacademie.serve import serve

        serve(args.service)
