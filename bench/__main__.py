"""`python -m bench` (make bench): every benchmark, each against its reference in the same
run; quick sizes by default, BENCH_FULL=1 for the full ones."""

import asyncio
import os
import sys
import time
from typing import Any

import uvloop

from bench import (
    burst,
    events,
    instances,
    latency,
    outbox,
    projection,
    rebuild,
    report,
    sink_floor,
    stack,
    webhooks,
)
from bench.http import Setup, start_bare, stop_bare, system
from bench.people import People
from contracts.topics import ENROLLMENTS
from huisacademie.system import System

FULL = os.environ.get("BENCH_FULL") == "1"
SMOKE = os.environ.get("BENCH_SMOKE") == "1"  # tiny sizes: checks that every part runs
SIZES = {
    "projection": 1_000_000 if FULL else 100_000,
    "e2e_seconds": 30 if FULL else 10,  # at each rate
    "e2e_warmup": 500 if FULL else 200,
    "burst": 10_000 if FULL else 600,  # each a staff member of their own, signed in
    "outbox": 200_000 if FULL else 50_000,
    "webhooks": 10_000 if FULL else 1_000,  # a backlog to one subscriber
    "webhooks_steady": 3_000 if FULL else 500,  # at 50 a second: 60 s or 10 s
    "instances": 1_000_000 if FULL else 300_000,  # with one, two and three instances
}
if SMOKE:
    SIZES = {
        "projection": 3_000, "e2e_seconds": 1, "e2e_warmup": 20, "burst": 600, "outbox": 3_000,
        "webhooks": 100, "webhooks_steady": 50,
        # enough that three instances join before the work is done
        "instances": 100_000,
    }  # fmt: skip
ALL_PARTS = ("ingest", "instances", "relay", "e2e", "burst", "webhooks")
PARTS = frozenset(os.environ.get("BENCH_PARTS", ",".join(ALL_PARTS)).split(","))
"""What runs (all by default); a run of some parts prints its figures and writes nothing."""
PARTIAL = set(ALL_PARTS) != PARTS
WEBHOOK_RATE = 50.0
RATES = (50.0, 100.0, 200.0)
Rows = list[tuple[str, str, str]]


def say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def per_s(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


async def ingest(figures: dict[str, Any], rows: Rows) -> None:
    n = SIZES["projection"]
    say(f"producing {n:,} Completed events over 6 partitions")
    made = [events.as_record(e) for e in events.completions(n)]
    await events.produce(stack.BOOTSTRAP, ENROLLMENTS, made)
    raw = per_s(n, await projection.raw_consume_seconds(stack.BOOTSTRAP, ENROLLMENTS, n))
    say(f"raw aiokafka consumer: {raw:,.0f}/s")
    tool = round(projection.consumer_performance_rate(stack.BOOTSTRAP, ENROLLMENTS, n), 1)
    say(f"ConsumerPerformance: {tool:,.0f}/s")
    floor_url = await stack.fresh_database("bench_floor")
    floor = await sink_floor.sink_floor_rate(stack.BOOTSTRAP, ENROLLMENTS, floor_url, n)
    say(f"sink floor (binary COPY of the same rows): {floor:,.0f}/s")
    url = await stack.fresh_database("bench_portfolio")
    ours = await projection.projection_rate(stack.BOOTSTRAP, url, n)  # first commit to last
    say(f"portfolio projection: {ours:,.0f}/s")
    connect = await _connect_rate(n)
    say(f"Kafka Connect JDBC sink: {connect:,.0f}/s")
    figures.update(
        projection_events_per_s=ours,
        projection_raw_events_per_s=raw,
        projection_tool_events_per_s=tool,
        projection_connect_events_per_s=connect,
        projection_sink_floor_events_per_s=floor,
        projection_vs_raw=round(ours / raw, 3),
        projection_vs_tool=round(ours / tool, 3),
        projection_vs_connect=round(ours / connect, 3),
        projection_vs_sink_floor=round(ours / floor, 3),
    )
    rows.append(
        (
            f"projection ingest, {n:,} Completed",
            f"{ours:,.0f} events/s into the portfolio",
            f"sink floor {floor:,.0f}/s; raw aiokafka {raw:,.0f}/s; ConsumerPerformance"
            f" {tool:,.0f}/s; Connect + Debezium JDBC sink {connect:,.0f}/s",
        )
    )
    took, replayed = await rebuild.rebuild_seconds(stack.BOOTSTRAP, url)
    rebuilt = per_s(replayed, took)
    say(f"rebuild: {rebuilt:,.0f}/s over {replayed:,} events ({took:.1f} s)")
    figures.update(
        rebuild_events_per_s=rebuilt,
        rebuild_seconds=round(took, 1),
        rebuild_vs_raw=round(rebuilt / raw, 3),
        rebuild_vs_sink_floor=round(rebuilt / floor, 3),
    )
    if replayed >= 1_000_000:
        figures["rebuild_seconds_1m"] = round(took * 1_000_000 / replayed, 1)
    rows.append(
        (
            f"rebuild, {replayed:,} events",
            f"{rebuilt:,.0f} events/s ({took:.1f} s)",
            f"sink floor {floor:,.0f}/s; raw consume {raw:,.0f}/s",
        )
    )


async def scale_out(figures: dict[str, Any], rows: Rows) -> None:
    """The projection with one, two and three instances (processes) over the same events."""
    n = SIZES["instances"]
    say(f"producing {n:,} Completed events over 6 partitions for the instances")
    topic = await stack.topic("bench.instances")
    await events.produce(
        stack.BOOTSTRAP, topic, [events.as_record(e) for e in events.completions(n, seed=11)]
    )
    rates: dict[int, float] = {}
    for count in (1, 2, 3):
        url = await stack.fresh_database(f"bench_instances_{count}")
        rates[count] = await instances.instances_rate(stack.BOOTSTRAP, url, n, count, topic)
        say(f"portfolio projection, {count} instance(s): {rates[count]:,.0f}/s")
    stored = await instances.bytes_per_event(url)
    say(f"the portfolio's database, bytes an event: {stored}")
    figures["portfolio_bytes_per_event"] = stored
    figures.update({f"projection_{c}_instances_events_per_s": r for c, r in rates.items()})
    figures["projection_instances_speedup"] = round(rates[3] / rates[1], 2)
    rows.append(
        (
            f"projection ingest by instances, {n:,} Completed",
            " / ".join(f"{c}: {r:,.0f}" for c, r in rates.items()) + " events/s",
            "the same consumer as one, two and three processes in one group, on 2 cores",
        )
    )


async def _connect_rate(n: int) -> float:
    """Kafka Connect with Debezium's JDBC sink landing as many completions as rows; from the
    first row to the last, as for the projection (the JVM's start-up is left out)."""
    from bench import connect

    topic = await stack.topic("bench.connect")
    await connect.produce_completions(stack.BOOTSTRAP, topic, n)
    url = await stack.fresh_database("bench_connect")
    workdir = stack.LAYOUT.root / "connect"
    workdir.mkdir(parents=True, exist_ok=True)
    _, span = await connect.connect_sink_rate(stack.BOOTSTRAP, topic, url, n, workdir)
    return round(n / max(span, 1e-3), 1)


async def relay(figures: dict[str, Any], rows: Rows) -> None:
    n = SIZES["outbox"]
    envelopes = list(events.completions(n, seed=9))
    url = await stack.fresh_database("bench_outbox")
    ours = per_s(n, await outbox.relay_seconds(stack.BOOTSTRAP, url, envelopes))
    topic = await stack.topic("bench.direct")
    direct = per_s(
        n,
        await outbox.direct_seconds(
            stack.BOOTSTRAP, topic, [events.as_record(e) for e in envelopes]
        ),
    )
    say(f"outbox relay {ours:,.0f}/s, aiokafka producer with its settings {direct:,.0f}/s")
    figures.update(
        outbox_events_per_s=ours,
        outbox_raw_producer_events_per_s=direct,
        outbox_vs_raw_producer=round(ours / direct, 3),
        outbox_vs_producer=round(ours / direct, 3),
    )
    rows.append(
        (
            f"outbox relay, {n:,} committed events",
            f"{ours:,.0f} events/s",
            f"aiokafka producer with the relay's settings (idempotent, acks=all, linger 0,"
            f" 16 KiB batches) {direct:,.0f}/s",
        )
    )


def setup_figures(name: str, setup: Setup) -> dict[str, Any]:
    """What a benchmark's people took before its timed part (not part of its figures)."""
    return {
        f"{name}_setup_people": setup.made.count,
        f"{name}_setup_users_s": round(setup.made.users_s, 1),
        f"{name}_setup_directory_s": round(setup.made.directory_s, 1),
        f"{name}_setup_tokens_s": round(setup.tokens_s, 1),
    }


async def services(figures: dict[str, Any], rows: Rows) -> None:
    identity = await stack.identity()
    running = system(identity)
    running.stop_services()
    try:
        running.start_services()
        base = await start_bare()
        async with People(identity) as people:
            await _services(running, people, base, figures, rows)
    finally:
        stop_bare()
        running.stop_services()


async def _services(
    running: System, people: People, base: str, figures: dict[str, Any], rows: Rows
) -> None:
    if "e2e" in PARTS:
        await _latency(running, people, figures, rows)
    if "burst" in PARTS:
        await _burst(running, people, base, figures, rows)
    if "webhooks" in PARTS:
        await _webhooks(running, people, figures, rows)


async def _latency(running: System, people: People, figures: dict[str, Any], rows: Rows) -> None:
    seconds, warmup = SIZES["e2e_seconds"], SIZES["e2e_warmup"]
    say(f"end-to-end: a warm-up of {warmup}, then {seconds} s at each of {RATES} completions/s")
    phases, setup, idle = await latency.completion_latencies(
        running, people, rates=RATES, seconds=seconds, warmup=warmup
    )
    say(f"end-to-end set up: {setup.describe()}; CPU at rest, ms a second: {idle}")
    figures["e2e_idle_cpu_ms_per_s"] = idle
    for phase in phases:
        at = latency.percentiles(phase.sent_ms)
        answered = latency.percentiles(phase.answered_ms)
        rate = f"{phase.rate:.0f}"
        say(f"end-to-end at {rate}/s: {at}; from the answer {answered};"
            f" CPU {phase.system_cpu_ms} ms a completion {phase.cpu_ms}")  # fmt: skip
        figures.update(
            {
                f"e2e_{rate}_p50_ms": at["p50"],
                f"e2e_{rate}_p99_ms": at["p99"],
                f"e2e_{rate}_answer_p99_ms": answered["p99"],
                f"e2e_{rate}_p99_windows_ms": phase.windows_p99_ms,
                f"e2e_{rate}_cpu_ms_per_completion": phase.system_cpu_ms,
                f"e2e_{rate}_cpu_ms_by_process": phase.cpu_ms,
            }
        )
        rows.append(
            (
                f"end-to-end latency, {len(phase.sent_ms):,} completions at {rate}/s",
                "p50 {p50} / p95 {p95} / p99 {p99} / max {max} ms from sending;".format(**at)
                + f" p99 {answered['p99']} ms from the answer; p99 per {latency.WINDOW_S:.0f} s"
                f" window {phase.windows_p99_ms}; {phase.system_cpu_ms} ms CPU a completion",
                "",
            )
        )
    top = phases[-1]
    ours = latency.percentiles(top.sent_ms)
    topic = await stack.topic("bench.round_trip")
    raw = latency.percentiles(
        await latency.kafka_round_trips(
            stack.BOOTSTRAP, topic, rate=top.rate, count=len(top.sent_ms)
        )
    )
    say(f"Kafka round trip {raw}")
    figures.update(
        e2e_p50_ms=ours["p50"],
        e2e_p95_ms=ours["p95"],
        e2e_p99_ms=ours["p99"],
        e2e_max_ms=ours["max"],
        e2e_cpu_ms_per_completion=top.system_cpu_ms,
        kafka_round_trip_p50_ms=raw["p50"],
        kafka_round_trip_p99_ms=raw["p99"],
    )
    rows[-1] = (
        rows[-1][0],
        rows[-1][1],
        "Kafka produce-to-consume p50 {p50} / p95 {p95} / p99 {p99} / max {max} ms".format(**raw),
    )
    figures.update(setup_figures("e2e", setup))


async def _burst(
    running: System, people: People, base: str, figures: dict[str, Any], rows: Rows
) -> None:
    n, seats = SIZES["burst"], 300
    # The bare endpoint first, on a stack at rest: nothing of ours runs behind it then.
    await asyncio.sleep(5)
    bare = await burst.bare_burst(base, requests=n)
    say(f"burst: {n:,} staff members enrolling at once on {seats} seats (making them first)")
    ours_burst, held, burst_setup = await burst.enrollment_burst(
        running, people, requests=n, seats=seats
    )
    say(f"burst set up: {burst_setup.describe()}")
    expected = {"enrolled": seats, "waitlisted": n - seats}
    if held != expected:
        raise burst.BurstMismatch(f"the burst left {held}, not {expected}")
    lat = latency.percentiles(ours_burst.latencies_ms)
    say(f"burst {ours_burst.per_second:,.0f}/s {held}; bare {bare.per_second:,.0f}/s")
    figures.update(
        burst_requests_per_s=round(ours_burst.per_second, 1),
        burst_bare_requests_per_s=round(bare.per_second, 1),
        burst_vs_bare=round(ours_burst.per_second / bare.per_second, 3),
        burst_enrolled=held.get("enrolled", 0),
        burst_waitlisted=held.get("waitlisted", 0),
        burst_lost=n - sum(held.values()),
        burst_p50_ms=lat["p50"],
        burst_p99_ms=lat["p99"],
    )
    figures.update(setup_figures("burst", burst_setup))
    rows.append(
        (
            f"enrollment burst, {n:,} requests on {seats} seats",
            f"{ours_burst.per_second:,.0f} requests/s, p50 {lat['p50']} / p99 {lat['p99']} ms;"
            f" {held.get('enrolled', 0)} enrolled, {held.get('waitlisted', 0)} waitlisted",
            f"bare FastAPI + asyncpg insert (no token), on the stack at rest"
            f" {bare.per_second:,.0f} requests/s",
        )
    )


async def _webhooks(running: System, people: People, figures: dict[str, Any], rows: Rows) -> None:
    backlog, steady = SIZES["webhooks"], SIZES["webhooks_steady"]
    say(f"webhooks: a backlog of {backlog:,}, then {steady:,} at {WEBHOOK_RATE:.0f}/s, to one"
        " subscriber")  # fmt: skip
    delivered = await webhooks.deliveries(
        running, people, backlog=backlog, rate=WEBHOOK_RATE, steady=steady
    )
    hooks, rate_row, latency_row = webhooks.figures_and_row(delivered)
    say(f"webhooks: {hooks}")
    figures.update(hooks)
    rows.extend([rate_row, latency_row])


async def main() -> None:
    figures: dict[str, Any] = {}
    rows: Rows = []
    began = time.monotonic()
    say(f"{'full' if FULL else 'quick'} sizes: {SIZES}")
    await asyncio.to_thread(stack.start)
    try:
        if "ingest" in PARTS:
            await ingest(figures, rows)
        if "instances" in PARTS:
            await scale_out(figures, rows)
        if "relay" in PARTS:
            await relay(figures, rows)
        if PARTS & {"e2e", "burst", "webhooks"}:
            await asyncio.to_thread(stack.start)  # a fresh broker: the services from empty topics
            await services(figures, rows)
    finally:
        await asyncio.to_thread(stack.stop)
    command = "BENCH_FULL=1 make bench" if FULL else "make bench"
    if SMOKE or PARTIAL:
        print(figures)
        return
    print(report.write(figures, rows, command, FULL))
    say(f"done in {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    uvloop.run(main())
