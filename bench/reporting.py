"""Benchmark of the reporting service at the canton's scale (53 communes of Jura) and the
country's (every Swiss commune): projection throughput live and in rebuild against a bare
consumer loop on the same topics, the dashboards' latency, and freshness; on the embedded
stack (noida-db, SQLite) and on the production stack (3-node Apache Kafka, PostgreSQL).

    .venv/bin/python bench/reporting.py [--scales 53,all] [--samples 200] [--stacks embedded,kafka]

For each stack and scale it starts its own broker and databases (bench/_stacks.py), puts a
simulated programme history on the topics (contract-checked events, as the services publish
them), then measures. Freshness is measured from the HTTP 201 of a survey answer to the
surveys service (its outbox relay publishing as in production) until the commune's dashboard
JSON shows it. Progress on stderr; the last stdout line is one JSON object, each stack's
figures under its key ("embedded", "kafka_postgresql"), suffixed by the scale (`_53`, `_2131`
for every commune).
"""
from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the service it measures: keep its own folder off the import path,
# so `import reporting` finds the service, not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid
from contextlib import ExitStack
from datetime import date, datetime, timedelta, timezone

from kafka import KafkaProducer

from shared.config import load_settings
from shared.contracts import Event, serialize
from shared.http.auth import TokenIssuer
from shared.http.keys import ensure_keys
from shared.messaging.kafka import ensure_topics, make_consumer, platform_topics
from shared.service import ServiceRuntime

from reporting.bootstrap import definition as reporting_definition
from surveys.bootstrap import definition as surveys_definition
from reporting.service_layer.generations import consumer_for, rebuild, run_live, state
from sqlalchemy.orm import Session

# The benches' helpers, now that `reporting` is the service: this folder goes back on the path,
# last. The survey answering bench gives its published survey and answers.
sys.path.append(str(Path(__file__).resolve().parent))
import _stacks  # noqa: E402
import survey_ingest as SURVEY_INGEST  # noqa: E402
from _platform import stop_on_sigterm  # noqa: E402
COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "swiss-communes.csv"  # every Swiss commune (data/README.md)
START = datetime(2025, 9, 1, 8, 0, tzinfo=timezone.utc)
TOPICS = [f"{s}.events" for s in ("programme", "surveys", "events", "partners")]


def progress(text: str) -> None:
    print(f"[reporting bench] {text}", file=sys.stderr, flush=True)


def communes(scale: str) -> list[tuple[str, str, int]]:
    with COMMUNES_CSV.open(encoding="utf-8") as handle:
        rows = [(r["name"], r["canton"], int(r["population"])) for r in csv.DictReader(handle)]
    return [r for r in rows if r[1] == "JU"] if scale == "53" else rows


def slug(name: str, index: int) -> str:
    return f"c{index}-" + "".join(ch for ch in name.lower() if ch.isalnum())[:30]


# -- a simulated programme history ----------------------------------------------------------
def history(index: int, name: str, canton: str, population: int, rng: random.Random) -> list[Event]:
    commune = slug(name, index)

    def event(source: str, event_type: str, **payload) -> Event:
        return Event(type=f"{source}.{event_type}", commune=commune, source=source, payload=payload)

    phase = rng.randint(1, 4)
    events = [event("programme", "CommuneOnboarded", slug=commune, name=name, canton=canton,
                    population=population, onboarded_on="2025-09-01")]
    for number in range(1, phase + 1):
        started = START + timedelta(days=200 * (number - 1))
        events.append(event("programme", "PhaseStarted", phase=number, started_at=started.isoformat()))
        if number < phase:
            for activity in ("working_group", "concept", "negotiation", "authorities")[: 4 if number == 1 else 0]:
                events.append(event("programme", "ActivityChecked", phase=1, activity=activity, done=True))
            events.append(event("programme", "PhaseCompleted", phase=number,
                                completed_at=(started + timedelta(days=200)).isoformat()))
    for theme in range(1, 3):
        events.append(event("programme", "ThemeDefined", theme_id=theme, title=f"Axe {theme}"))
        events.append(event("programme", "ObjectiveSet", objective_id=theme, title=f"Objectif {theme}",
                            theme_id=theme, indicator="network_restricted_share", baseline=0.25, target=0.15))
        events.append(event("programme", "ActionLaunched", action_id=theme, objective_id=theme, title="Action",
                            status="in_progress", due_on=None, partner_ids=[], event_ids=[]))
    survey = {"survey_id": 1, "template": "qualite-de-vie", "follow_up_of": None}
    events.append(event("surveys", "SurveyPublished", **survey, title={"fr": "Qualité de vie"}, questions=[],
                        published_at=START.isoformat()))
    for _ in range(rng.randint(10, 40)):
        events.append(event("surveys", "ResponseSubmitted", **survey, channel="online", submitted_on="2026-03-02",
                            answers={"neighbour_network": rng.choice(["restricted", "medium", "wide", "very_wide"]),
                                     "interaction_places": ["street"], "local_politics_interest": rng.randint(1, 5)}))
    for number in range(1, 6):
        facts = {"event_id": f"e{number}", "series_id": None, "kind": rng.choice(["papotage", "brise_glace"]),
                 "phase": 2, "starts_at": (START + timedelta(days=300 + number)).isoformat()}
        events.append(event("events", "EventScheduled", **facts, title="Papotage", capacity=20,
                            ends_at=(START + timedelta(days=300 + number, hours=2)).isoformat(),
                            registration_required=False, partner_ids=[], status="scheduled"))
        events.append(event("events", "AttendanceRecorded", **facts, head_count=rng.randint(5, 30),
                            registered_people=0, registered_attended=None, recorded_at=START.isoformat()))
    for number in range(1, 7):
        events.append(event("partners", "PartnerRegistered", partner_id=f"p{number}", name=f"Partenaire {number}",
                            kind=rng.choice(["association", "school", "club"]), regional=False,
                            status=rng.choice(["identified", "active"]), roles=[], registered_on="2026-01-15"))
    return events


def publish(bootstrap: str, events: list[Event]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=256 * 1024)
    for number, event in enumerate(events, 1):
        producer.send(event.topic, key=event.key, value=serialize(event))
        if number % 20000 == 0:
            progress(f"  published {number}/{len(events)}")
    producer.flush()
    producer.close()


# -- measurements ---------------------------------------------------------------------------
def bare_rate(bootstrap: str, total: int) -> float:
    """kafka-python alone reading the same topics: poll and commit, nothing applied."""
    consumer = make_consumer(bootstrap, f"bench-bare-{uuid.uuid4().hex[:6]}", TOPICS)
    read, started = 0, None
    while read < total:
        batch = consumer.poll(timeout_ms=500)
        if batch and started is None:
            started = time.perf_counter()
        read += sum(len(records) for records in batch.values())
        if batch:
            consumer.commit()
    elapsed = time.perf_counter() - started
    consumer.close(autocommit=False)
    return total / elapsed


def live_rate(runtime, total: int) -> float:
    with Session(runtime.engine) as session, session.begin():
        current = state(session)
        generation, group = current.active_generation, current.active_group
    consumer = consumer_for(runtime, generation, group)
    read, started = 0, None
    while read < total:
        count = consumer.poll_once()
        if count and started is None:
            started = time.perf_counter()
        read += count
    elapsed = time.perf_counter() - started
    consumer.consumer.close(autocommit=False)
    consumer.dead_letters.close()
    return total / elapsed


REBUILDS = 3


def rebuild_rates(runtime, total: int) -> list[float]:
    """The whole command, `REBUILDS` times (each a new generation, switched to, the former one
    dropped): Jura's 2,879 events take a third of a second, which one reading gets wrong by a
    quarter either way on this machine."""
    rates = []
    for _ in range(REBUILDS):
        started = time.perf_counter()
        rebuild(runtime)
        rates.append(total / (time.perf_counter() - started))
    return rates


def percentile_95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def latency_ms(base: str, path: str, token: str, samples: int) -> float:
    """p95 of `samples` requests in a row, after one that is not counted (caches warm, as
    they are in a running service)."""
    timings = []
    for _ in range(samples + 1):
        request = urllib.request.Request(base + path.format(), headers={"Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        timings.append((time.perf_counter() - started) * 1000)
    return percentile_95(timings[1:])


def serve(app, stack: ExitStack) -> str:
    from waitress import create_server
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    stack.callback(server.close)
    return f"http://127.0.0.1:{server.effective_port}"


def surveys_service(running: _stacks.Running, folder: Path, commune: str, stack: ExitStack) -> tuple[str, str]:
    """The surveys service as in production: its app over HTTP and its outbox relay
    publishing, with the commune's quality-of-life survey published. Returns (base, token)."""
    surveys_folder = folder / "surveys"
    surveys_folder.mkdir(exist_ok=True)
    env, survey_token = SURVEY_INGEST.prepare_database(
        surveys_folder, running.bootstrap, running.database("surveys", surveys_folder), commune=commune)
    runtime = ServiceRuntime(surveys_definition, load_settings(env))
    stack.callback(runtime.engine.dispose)
    stop = threading.Event()
    relay = threading.Thread(target=runtime.relay().run, args=(stop,), daemon=True)
    relay.start()
    stack.callback(relay.join, 30)
    stack.callback(stop.set)
    return serve(runtime.create_app(), stack), survey_token


def freshness_s(runtime, running: _stacks.Running, base: str, token: str, commune: str, samples: int,
                folder: Path, stack: ExitStack) -> float:
    """From the HTTP 201 of a survey answer (the surveys service and its relay running as in
    production) to the commune dashboard showing it (the live consumer running as in
    production, the dashboard polled over HTTP)."""
    surveys_base, survey_token = surveys_service(running, folder, commune, stack)
    stop = threading.Event()
    worker = threading.Thread(target=run_live, args=(runtime, stop, 0.5), daemon=True)
    worker.start()
    path = f"/reporting/api/v1/communes/{commune}/dashboard"
    answer = json.dumps({"answers": SURVEY_INGEST.ANSWERS}).encode()
    delays = []
    try:
        for _ in range(samples + 1):  # the first, not counted, waits for the consumer to join
            before = _responses(base, path, token)
            request = urllib.request.Request(f"{surveys_base}/surveys/api/v1/public/{survey_token}/responses",
                                             data=answer, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status != 201:
                    raise RuntimeError(f"the survey answer got {response.status}")
            answered = time.perf_counter()
            while _responses(base, path, token) == before:
                if time.perf_counter() - answered > 90:
                    raise RuntimeError("the dashboard did not show the answer within 90 s")
                time.sleep(0.01)
            delays.append(time.perf_counter() - answered)
    finally:
        stop.set()
        worker.join(timeout=30)
    return percentile_95(delays[1:])


def _responses(base: str, path: str, token: str) -> int:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["survey"]["responses"]


def run_scale(scale: str, samples: int, running: _stacks.Running, stack: ExitStack) -> dict:
    rows = communes(scale)
    rng = random.Random(2131)
    events = [e for index, row in enumerate(rows) for e in history(index, *row, rng)]
    key, bootstrap, folder = running.stack.key, running.bootstrap, running.folder
    progress(f"{key}, {len(rows)} communes: {len(events)} events on {running.stack.describe}")
    ensure_topics(bootstrap, platform_topics())
    publish(bootstrap, events)
    settings = load_settings({"ASP_DATA_DIR": str(folder / "data"), **running.client_env,
                              "REPORTING_DATABASE_URL": running.database("reporting")})
    ensure_keys(settings.keys_dir)
    runtime = ServiceRuntime(reporting_definition, settings)
    stack.callback(runtime.engine.dispose)
    runtime.migrate()
    progress("bare consumer loop…")
    bare = bare_rate(bootstrap, len(events))
    progress(f"  {bare:.0f} msg/s; live projections…")
    live = live_rate(runtime, len(events))
    progress(f"  {live:.0f} events/s; {REBUILDS} rebuilds…")
    rebuilds = rebuild_rates(runtime, len(events))
    rebuilt = statistics.median(rebuilds)
    progress(f"  {rebuilt:.0f} events/s (median of {', '.join(f'{r:.0f}' for r in rebuilds)}); dashboards over HTTP…")
    base = serve(runtime.create_app(), stack)
    issuer = TokenIssuer(settings)
    regional = issuer.issue("1", "regional_admin", [], "bench@example.ch")
    some = slug(rows[0][0], 0)
    commune_ms = latency_ms(base, f"/reporting/api/v1/communes/{some}/dashboard", regional, samples)
    region_ms = latency_ms(base, "/reporting/api/v1/region/overview", regional, max(20, samples // 5))
    progress(f"  commune p95 {commune_ms:.1f} ms, region p95 {region_ms:.1f} ms; freshness…")
    fresh = freshness_s(runtime, running, base, regional, some, 20, folder, stack)
    progress(f"  freshness p95 {fresh:.2f} s")
    return running.figures(
        communes=len(rows), events=len(events),
        bare_consumer_msgs_per_s=round(bare), projection_events_per_s=round(live),
        projection_vs_bare_ratio=round(live / bare, 3), rebuild_events_per_s=round(rebuilt),
        rebuild_events_per_s_each=[round(rate) for rate in rebuilds],
        commune_dashboard_p95_ms=round(commune_ms, 1), region_overview_p95_ms=round(region_ms, 1),
        freshness_p95_s=round(fresh, 3))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="53,all", help="53 (Jura) and/or all (every Swiss commune)")
    parser.add_argument("--samples", type=int, default=200, help="dashboard requests per measurement")
    _stacks.add_stacks_option(parser)
    args = parser.parse_args()
    stop_on_sigterm()  # the Kafka nodes run in sessions of their own: the ExitStack must stop them
    folder = Path(tempfile.mkdtemp(prefix="asp-bench-reporting-"))
    result = {"bench": "reporting", "stacks": [chosen.key for chosen in args.stacks], "scales": args.scales}
    try:
        for chosen in args.stacks:
            figures = {}
            for scale in args.scales.split(","):
                # A broker and databases per stack and scale, stopped and dropped before the next.
                with ExitStack() as stack:
                    running = _stacks.start(chosen, folder / chosen.option / scale, stack)
                    measured = run_scale(scale, args.samples, running, stack)
                suffix = "2131" if scale == "all" else scale
                figures.update({"broker": measured.pop("broker"), "database": measured.pop("database")})
                figures.update({f"{name}_{suffix}": value for name, value in measured.items()})
                print(f"{chosen.key}, {measured['communes']} communes, {measured['events']} events: " + ", ".join(
                    f"{k}={v}" for k, v in measured.items() if k not in ("communes", "events")))
            result[chosen.key] = figures
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["machine"] = f"nproc={os.cpu_count()}, python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
