"""Benchmark of the messaging backbone: what the outbox relay and the inbox consumer cost
compared with kafka-python doing the same traffic bare, on the embedded broker and SQLite and
on the production stack (a 3-node Apache Kafka cluster and PostgreSQL), side by side.

    .venv/bin/python bench/backbone.py [--events N] [--consume M] [--rounds R] [--relay-batch B]
                                       [--stacks embedded,kafka]

It starts everything itself, one stack after the other (bench/_stacks.py: the broker in a
temporary folder, a SQLite file or a new PostgreSQL database), runs four timed stages on
each (the two consumers `--rounds` times, alternated, compared by their medians), prints a
short summary, and ends stdout with one JSON line whose figures sit under each stack's key
("embedded", "kafka_postgresql"). Progress goes to stderr. Not a test: it asserts nothing
about speed, but it does check that every event went through, so a fast wrong run cannot pass
as a result.
"""
from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Column, Integer, String, Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared.contracts import Event, serialize
from shared.db.engine import make_engine, service_metadata
from shared.messaging.inbox import GroupMembership, InboxConsumer, dead_letter_topic
from shared.messaging.kafka import ensure_topics, make_consumer, make_producer
from shared.messaging.outbox import add_to_outbox, backlog
from shared.messaging.relay import OutboxRelay
from shared.service import ServiceDefinition

import _stacks

DEFAULT_EVENTS = 20_000
DEFAULT_ROUNDS = 5
EVENT_TYPE = "programme.ActivityChecked"
PAYLOAD = {"phase": 1, "activity": "concept", "done": True}
SOURCE = "programme"                 # so the relay publishes to programme.events, as in production
EVENTS_TOPIC = "programme.events"
RAW_TOPIC = "bench.raw"              # the bare producer's own topic: the consumers read only the relay's
COMMUNES = [f"commune-{i:02d}" for i in range(50)]  # 50 keys spread over the 6 partitions
STAGES = 6                           # numbered as in the brief: four timings, two ratios
STALL_TIMEOUT_S = 60.0               # a stage that makes no progress this long is a failure

def progress(stage: int | None, text: str, stack: str = "") -> None:
    prefix = f"[{stack + ' ' if stack else ''}{f'{stage}/{STAGES}' if stage else 'setup'}]"
    print(f"{prefix} {text}", file=sys.stderr, flush=True)


# -- the environment: broker, database, throwaway service -----------------------------------
@dataclass
class Backbone:
    bootstrap: str
    engine: Engine
    definition: ServiceDefinition
    effects: Table
    embedded_broker: bool


def start_backbone(stack: ExitStack, running: _stacks.Running) -> Backbone:
    ensure_topics(running.bootstrap, [EVENTS_TOPIC, RAW_TOPIC])

    metadata = service_metadata()
    # __post_init__ adds the outbox and inbox tables to this metadata, as for a real service.
    definition = ServiceDefinition(name="bench", metadata=metadata, package_dir=running.folder / "bench")
    effects = Table(
        "bench_effects", metadata,
        Column("commune", String(100), primary_key=True),
        Column("applied", Integer, nullable=False),
        Column("last_event_id", String(36), nullable=False),
    )
    engine = make_engine(running.database("bench"))
    stack.callback(engine.dispose)
    metadata.create_all(engine)  # no migrations: the tables are throwaway
    return Backbone(running.bootstrap, engine, definition, effects, running.embedded_broker)


def make_events(count: int) -> list[Event]:
    return [Event(type=EVENT_TYPE, commune=COMMUNES[i % len(COMMUNES)], payload=dict(PAYLOAD),
                  source=SOURCE) for i in range(count)]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


# -- 1. bare producer -----------------------------------------------------------------------
def bench_raw_producer(backbone: Backbone, events: list[Event]) -> float:
    """kafka-python alone: the same bodies, keys and header as the relay sends, one flush."""
    messages = [(e.key, serialize(e), [("event_type", e.type.encode())]) for e in events]
    producer = make_producer(backbone.bootstrap, client_id="bench-raw")
    try:
        producer.partitions_for(RAW_TOPIC)  # metadata fetched before timing, as for the relay
        start = time.perf_counter()
        futures = [producer.send(RAW_TOPIC, key=key, value=body, headers=headers)
                   for key, body, headers in messages]
        producer.flush()
        elapsed = time.perf_counter() - start
    finally:
        producer.close(timeout=10)
    failed = sum(1 for future in futures if not future.succeeded())
    if failed:
        raise RuntimeError(f"bare producer: {failed} of {len(futures)} messages not acknowledged")
    return rate(len(messages), elapsed)


# -- 2. outbox relay ------------------------------------------------------------------------
def fill_outbox(backbone: Backbone, events: list[Event]) -> None:
    """Not timed: the services write these rows inside their own transactions."""
    with Session(backbone.engine) as session, session.begin():
        for event in events:
            add_to_outbox(session, backbone.definition.outbox, event)


def bench_relay(backbone: Backbone, expected: int, batch_size: int | None) -> float:
    # Built as ServiceRuntime.relay() builds it; batch_size only if asked for.
    producer = make_producer(backbone.bootstrap, client_id="bench-relay")
    options = {"batch_size": batch_size} if batch_size else {}
    relay = OutboxRelay("bench", backbone.engine, backbone.definition.outbox, producer, **options)
    try:
        producer.partitions_for(EVENTS_TOPIC)
        start = time.perf_counter()
        published = drain_outbox(relay, expected)
        elapsed = time.perf_counter() - start
    finally:
        producer.close(timeout=10)
    with Session(backbone.engine) as session:
        left, _ = backlog(session, backbone.definition.outbox)
    if published != expected or left:
        raise RuntimeError(f"relay published {published} of {expected}; {left} rows still pending")
    return rate(published, elapsed)


def drain_outbox(relay: OutboxRelay, expected: int) -> int:
    """publish_batch() until every row is out; stops early if the relay stalls."""
    published, last_progress = 0, time.monotonic()
    while published < expected:
        done = relay.publish_batch()
        published += done
        if done:
            last_progress = time.monotonic()
        elif time.monotonic() - last_progress > STALL_TIMEOUT_S:
            break
    return published


def library_relay_batch() -> int:
    return inspect.signature(OutboxRelay).parameters["batch_size"].default


def topic_size(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


# -- consumers: timing from the first record ------------------------------------------------
class FirstRecordClock:
    """Stands in for a KafkaConsumer and notes when a poll first returns records, so the
    consumer timings leave out the group join and partition assignment."""

    def __init__(self, consumer: KafkaConsumer):
        self._consumer = consumer
        self.first_record_at: float | None = None

    def poll(self, *args, **kwargs):
        batch = self._consumer.poll(*args, **kwargs)
        if batch and self.first_record_at is None:
            self.first_record_at = time.perf_counter()
        return batch

    def __getattr__(self, name):
        return getattr(self._consumer, name)


def consume(poll_batch, clock: FirstRecordClock, wanted: int, what: str) -> tuple[int, float]:
    """Call poll_batch() until `wanted` records went through; returns (count, seconds)."""
    count, last_progress = 0, time.monotonic()
    while count < wanted:
        got = poll_batch()
        count += got
        if got:
            last_progress = time.monotonic()
        elif time.monotonic() - last_progress > STALL_TIMEOUT_S:
            raise RuntimeError(f"{what}: stalled after {count} of {wanted} records")
    return count, time.perf_counter() - clock.first_record_at


# -- 4. bare consumer -----------------------------------------------------------------------
def bench_bare_consumer(backbone: Backbone, wanted: int, round_: int) -> float:
    clock = FirstRecordClock(make_consumer(backbone.bootstrap, f"bench-bare-{round_}", [EVENTS_TOPIC]))

    def poll_and_commit() -> int:
        batch = clock.poll(timeout_ms=500)
        if not batch:
            return 0
        clock.commit()  # per batch, as the inbox consumer does
        return sum(len(records) for records in batch.values())

    try:
        count, elapsed = consume(poll_and_commit, clock, wanted, "bare consumer")
    finally:
        clock.close(autocommit=False)
    return rate(count, elapsed)


# -- 5. inbox consumer ----------------------------------------------------------------------
def effects_handler(effects: Table):
    """A trivial effect: count the events per commune (an update, or an insert the first
    time). The statements are built once, so the timing is the inbox's, not the handler's."""
    bump = (update(effects).where(effects.c.commune == bindparam("c"))
            .values(applied=effects.c.applied + 1, last_event_id=bindparam("e")))
    first = insert(effects).values(commune=bindparam("c"), applied=1, last_event_id=bindparam("e"))

    def apply(session: Session, event: Event) -> None:
        params = {"c": event.commune, "e": event.event_id}
        if not session.execute(bump, params).rowcount:
            session.execute(first, params)
    return apply


def bench_inbox_consumer(backbone: Backbone, wanted: int, with_effect: bool, round_: int = 0) -> float:
    """The inbox's own cost (parse, contract check, de-duplication, inbox row and stored
    offsets, transaction, commit) with a handler that does nothing; or, with_effect, plus a one-row update per event."""
    group = f"bench-inbox-effect-{round_}" if with_effect else f"bench-inbox-{round_}"  # each reads everything
    membership = GroupMembership()
    clock = FirstRecordClock(make_consumer(backbone.bootstrap, group, [EVENTS_TOPIC], listener=membership))
    dead_letters = make_producer(backbone.bootstrap, client_id=f"{group}-dead-letters")
    handler = effects_handler(backbone.effects) if with_effect else (lambda session, event: None)
    consumer = InboxConsumer(
        service="bench", group=group, engine=backbone.engine, inbox=backbone.definition.inbox,
        offsets=backbone.definition.consumer_offsets,  # positions stored with the effects, as a service's
        handlers={EVENT_TYPE: handler}, consumer=clock, membership=membership, dead_letters=dead_letters,
        dead_letter_topic=dead_letter_topic(group), embedded_broker=backbone.embedded_broker)
    try:
        count, elapsed = consume(consumer.poll_once, clock, wanted, "inbox consumer")
    finally:
        clock.close(autocommit=False)
        dead_letters.close(timeout=10)
    check_applied(backbone, group, count, with_effect)
    return rate(count, elapsed)


def check_applied(backbone: Backbone, group: str, count: int, with_effect: bool) -> None:
    """Every record counted must have been applied once: no duplicates, no dead letters."""
    inbox, effects = backbone.definition.inbox, backbone.effects
    with Session(backbone.engine) as session:
        recorded = session.scalar(select(func.count()).where(inbox.c.consumer_group == group))
        applied = session.scalar(select(func.coalesce(func.sum(effects.c.applied), 0)))
    if recorded != count or (with_effect and applied != count):
        raise RuntimeError(f"inbox consumer: {count} records, {recorded} in the inbox, "
                           f"{applied} applied")


# -- the run --------------------------------------------------------------------------------
def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = ", " + line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    # The load average tells a reader whether other work shared the CPUs during the run.
    load = f", load {os.getloadavg()[0]:.1f} at start" if hasattr(os, "getloadavg") else ""
    return (f"nproc={cpus}, python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}{model}{load}")


def run(args: argparse.Namespace, stack: ExitStack) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="asp-bench-"))
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    wanted = args.consume or args.events
    described = machine()  # before our own work raises the load average
    events = make_events(args.events)
    event_bytes = sum(len(serialize(e)) for e in events[:1000]) / min(1000, len(events))
    result = {"bench": "backbone", "stacks": [chosen.key for chosen in args.stacks]}
    for chosen in args.stacks:
        with ExitStack() as own:  # unwinds in reverse: engine, broker, database, before the next stack
            progress(None, f"starting {chosen.describe} in {folder / chosen.option}…", chosen.key)
            running = _stacks.start(chosen, folder / chosen.option, own)
            result[chosen.key] = measure(running, start_backbone(own, running), events, wanted, args.relay_batch,
                                         args.rounds)
    return {**result, "events": args.events, "consumed": wanted, "rounds": args.rounds, "event_bytes": round(event_bytes),
            "relay_batch_size": args.relay_batch or library_relay_batch(), "machine": described}


def measure(running: _stacks.Running, backbone: Backbone, events: list[Event], wanted: int,
            relay_batch: int | None, rounds: int) -> dict:
    """The four timings and the ratios on one stack."""
    key = running.stack.key
    progress(1, f"bare producer: {len(events)} messages…", key)
    raw = bench_raw_producer(backbone, events)

    progress(2, f"outbox relay: {len(events)} events (writing the outbox first, not timed)…", key)
    fill_outbox(backbone, events)
    relay = bench_relay(backbone, len(events), relay_batch)
    progress(3, f"relay vs raw: {relay:.0f} / {raw:.0f} = {relay / raw:.2f}", key)
    available = topic_size(backbone.bootstrap, EVENTS_TOPIC)
    if wanted > available:
        raise SystemExit(f"--consume {wanted} but {EVENTS_TOPIC} holds only {available} events")

    # The bare loop reads 20,000 events in a quarter of a second: one reading of it swung from
    # 54,000 to 81,000 msg/s between two quiet runs. Each consumer reads everything in turn,
    # `rounds` times, with a new group each time; the ratio is of the medians.
    bares, inboxes = [], []
    for round_ in range(rounds):
        progress(4, f"round {round_ + 1}/{rounds}: bare consumer, {wanted} messages…", key)
        bares.append(bench_bare_consumer(backbone, wanted, round_))
        progress(5, f"round {round_ + 1}/{rounds}: inbox consumer, {wanted} events…", key)
        inboxes.append(bench_inbox_consumer(backbone, wanted, with_effect=False, round_=round_))
    bare, inbox = statistics.median(bares), statistics.median(inboxes)
    progress(5, f"inbox consumer with a one-row effect per event: {wanted} events…", key)
    inbox_effect = bench_inbox_consumer(backbone, wanted, with_effect=True)
    progress(6, f"inbox vs bare: {inbox:.0f} / {bare:.0f} = {inbox / bare:.2f} "
                f"(with effect {inbox_effect / bare:.2f}); stopping the stack", key)
    return running.figures(
        relay_vs_raw_ratio=round(relay / raw, 3),
        inbox_vs_bare_ratio=round(inbox / bare, 3),
        inbox_vs_bare_ratio_by_round=[round(i / b, 3) for i, b in zip(inboxes, bares)],
        bare_consumer_msgs_per_s_by_round=[round(b) for b in bares],
        inbox_consumer_events_per_s_by_round=[round(i) for i in inboxes],
        inbox_with_effect_vs_bare_ratio=round(inbox_effect / bare, 3),
        raw_producer_msgs_per_s=round(raw),
        relay_events_per_s=round(relay),
        bare_consumer_msgs_per_s=round(bare),
        inbox_consumer_events_per_s=round(inbox),
        inbox_consumer_with_effect_events_per_s=round(inbox_effect),
    )


def summary(result: dict) -> str:
    lines = [f"messaging backbone, {result['events']} events of ~{result['event_bytes']} bytes ({result['machine']})"]
    for key in result["stacks"]:
        figures = result[key]
        lines += [
            f"{key}: {figures['broker']}, {figures['database']} (load {figures['load_at_start']} → "
            f"{figures['load_at_end']})",
            f"  bare producer   {figures['raw_producer_msgs_per_s']:>8} msg/s",
            f"  outbox relay    {figures['relay_events_per_s']:>8} events/s   "
            f"relay/raw   = {figures['relay_vs_raw_ratio']:.2f} (target >= 0.6)",
            f"  bare consumer   {figures['bare_consumer_msgs_per_s']:>8} msg/s",
            f"  inbox consumer  {figures['inbox_consumer_events_per_s']:>8} events/s   "
            f"inbox/bare  = {figures['inbox_vs_bare_ratio']:.2f} (target >= 0.5)",
            f"  inbox + effect  {figures['inbox_consumer_with_effect_events_per_s']:>8} events/s   "
            f"with a one-row update per event: {figures['inbox_with_effect_vs_bare_ratio']:.2f} of bare",
        ]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                        help=f"events produced and relayed (default {DEFAULT_EVENTS})")
    parser.add_argument("--consume", type=int, default=None,
                        help="events read by each consumer (default: --events)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                        help=f"readings of the bare and the inbox consumer, alternated (default {DEFAULT_ROUNDS}; "
                             "their medians are compared)")
    parser.add_argument("--relay-batch", type=int, default=None,
                        help="OutboxRelay batch_size (default: the library's)")
    _stacks.add_stacks_option(parser)
    args = parser.parse_args(argv)
    if args.events < 1 or (args.consume is not None and args.consume < 1) or args.rounds < 1:
        parser.error("--events, --consume and --rounds must be positive")
    return args


def _terminate(signum, _frame):
    raise KeyboardInterrupt  # SIGTERM cleans up the same way as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with ExitStack() as stack:  # unwinds in reverse: each stack's engine, broker, database, then the folder
            result = run(args, stack)
    except KeyboardInterrupt:
        print("interrupted; broker stopped, databases dropped and temporary folder removed", file=sys.stderr)
        return 130
    print(summary(result))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
