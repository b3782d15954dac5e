"""Benchmark of answering a survey: responses per second through the real HTTP stack, with
the transactional outbox against the same stack writing the same row without it, on the
embedded stack (noida-db, SQLite) and on the production stack (3-node Apache Kafka, PostgreSQL).

    .venv/bin/python bench/survey_ingest.py [--requests N] [--clients C] [--rate R] [--seconds S]
                                            [--workers W] [--threads T] [--stacks embedded,kafka]

The server is gunicorn (2 gthread workers; 1 thread each on SQLite, which takes one writer
at a time, and more threads per process only add GIL hand-offs while one of them holds the
write lock — measured here, 4 threads gave both stacks less throughput and the outbox
stack relatively less; 4 threads each on PostgreSQL, which takes writers side by side),
started by the bench on a free port in front of a new database of the stack (a SQLite file
in a temporary folder, or a new PostgreSQL database), once per variant:
  outbox  the production app (`surveys.entrypoints.wsgi:app`), with its outbox relay running
          as a separate process and publishing to the stack's broker, as in production;
  plain   the same app, except that the unit of work's `publish` writes nothing: the same
          response row, the same checks, no outbox row (and no contract check of the event).
Each variant answers N JSON responses (POST /surveys/api/v1/public/<token>/responses) from C
client threads (keep-alive connections), in 5 rounds, alternating (a round of one variant varies by
±15 % on a 2-core machine; two rounds gave ratios from 0.78 to 0.91); then R requests per second for
S seconds measure latency. The stacks run one after the other (bench/_stacks.py), each with its
own broker and databases. Progress goes to stderr; the last stdout line is one JSON object,
each stack's figures under its key ("embedded", "kafka_postgresql").
It checks that every answer was stored (and, with the outbox, published), so a fast wrong
run cannot pass as a result. Not a test: it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from importlib.metadata import version
from pathlib import Path

import _stacks
from _platform import stop_on_sigterm

REPO = Path(__file__).resolve().parent.parent
COMMUNE = "bench-commune"
ANSWERS = {
    "neighbour_network": "restricted", "neighbours_known_by_name": 4,
    "neighbour_interaction_frequency": "few_times_a_year", "interaction_places": ["street", "shops"],
    "interaction_duration": "few_minutes", "quality_of_life": 4, "local_politics_interest": 2,
    "involvement_wish": "maybe", "involvement_areas": ["citizen_forum"],
    "wishes": "Un café au centre du village, où l'on se retrouve.", "age_band": "age_45_64",
}


def progress(text: str) -> None:
    print(f"[survey_ingest] {text}", file=sys.stderr, flush=True)


def plain_app():
    """gunicorn's app for the `plain` stack: the production app, its outbox writes left out."""
    from shared.db.uow import UnitOfWork
    UnitOfWork.publish = lambda self, event: None
    from surveys.entrypoints.wsgi import app
    return app


# -- a stack: database, survey, gunicorn (and the relay) ----------------------------------
def free_port() -> int:
    from shared.messaging.embedded_broker import free_port as broker_free_port
    return broker_free_port()


def prepare_database(folder: Path, bootstrap: str, url: str, commune: str = COMMUNE) -> tuple[dict, str]:
    """A migrated database with one commune and one published survey; returns (env, token)."""
    from shared.config import load_settings
    from shared.service import ServiceRuntime
    from surveys.adapters.orm import Commune
    from surveys.bootstrap import definition
    from surveys.service_layer import handlers
    env = {**os.environ, "ASP_DATA_DIR": str(folder), "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "SURVEYS_DATABASE_URL": url, "ASP_EMBEDDED": "1",
           "ASP_PUBLIC_RATE_LIMIT": "1000000/second", "ASP_LOG_LEVEL": "WARNING"}
    runtime = ServiceRuntime(definition, load_settings(env))
    runtime.migrate()
    with runtime.unit_of_work() as uow:
        uow.session.add(Commune(slug=commune, name="Bench", population=10_000))
        uow.commit()
    with runtime.unit_of_work() as uow:
        survey = handlers.create_survey(uow, commune, template="qualite-de-vie")
    with runtime.unit_of_work() as uow:
        handlers.publish_survey(uow, commune, survey.id)
    runtime.engine.dispose()
    return env, survey.token


def start_gunicorn(stack: ExitStack, env: dict, app: str, workers: int, threads: int) -> int:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(threads),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--pythonpath", str(REPO / "bench"), app]
    process = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True)
    stack.callback(stop, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/surveys/healthz")[0] == 200:
                return port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def start_relay(stack: ExitStack, env: dict) -> None:
    process = subprocess.Popen([sys.executable, "-m", "surveys.entrypoints.relay"], env=env, cwd=REPO,
                               start_new_session=True)
    stack.callback(stop, process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def request(port: int, method: str, path: str, body: bytes | None = None, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if own:
        connection.close()
    return response.status, response


# -- load ----------------------------------------------------------------------------------
def answer_burst(port: int, token: str, count: int, clients: int) -> tuple[float, int]:
    """`count` answers from `clients` threads as fast as the server takes them: (seconds, errors)."""
    body = json.dumps({"answers": ANSWERS}).encode()
    path = f"/surveys/api/v1/public/{token}/responses"
    shares = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    errors = []

    def client(share: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(share):
            status, _ = request(port, "POST", path, body, connection)
            if status != 201:
                errors.append(status)
        connection.close()

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, len(errors)


def fixed_rate(port: int, token: str, rate: float, seconds: float) -> tuple[list[float], int]:
    """Open loop: a request every 1/rate s whatever the answers; returns latencies (s), errors."""
    body = json.dumps({"answers": ANSWERS}).encode()
    path = f"/surveys/api/v1/public/{token}/responses"
    latencies, errors, lock = [], [], threading.Lock()

    def one() -> None:
        started = time.perf_counter()
        status, _ = request(port, "POST", path, body)
        with lock:
            latencies.append(time.perf_counter() - started)
            if status != 201:
                errors.append(status)

    threads, start = [], time.perf_counter()
    for index in range(int(rate * seconds)):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return latencies, len(errors)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# -- checks --------------------------------------------------------------------------------
def count_rows(url: str) -> tuple[int, int, int]:
    """(responses, outbox rows, outbox rows published)."""
    from sqlalchemy import text
    from shared.db.engine import make_engine
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            responses = connection.execute(text("SELECT count(*) FROM responses")).scalar()
            rows, published = connection.execute(text(
                "SELECT count(*), count(published_at) FROM outbox "
                "WHERE event_type = 'surveys.ResponseSubmitted'")).one()
    finally:
        engine.dispose()
    return responses, rows, published


def wait_published(url: str, timeout_s: float = 120) -> tuple[int, int, int]:
    deadline = time.monotonic() + timeout_s
    while True:
        counts = count_rows(url)
        if counts[1] == counts[2] or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


# -- the run -------------------------------------------------------------------------------
def run(args: argparse.Namespace, stack: ExitStack) -> dict:
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="survey-ingest-")))
    result = {"bench": "survey_ingest", "stacks": [chosen.key for chosen in args.stacks], "rounds": args.rounds,
              "requests_per_variant": args.requests * args.rounds, "clients": args.clients,
              "fixed_rate_rps": args.rate, "fixed_rate_seconds": args.seconds}
    for chosen in args.stacks:
        with ExitStack() as own:  # gunicorns and relay, broker, databases: stopped before the next stack
            progress(f"{chosen.key}: starting {chosen.describe}")
            result[chosen.key] = run_stack(args, _stacks.start(chosen, folder / chosen.option, own), own)
    result["machine"] = f"nproc={os.cpu_count()}, python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    return result


def run_stack(args: argparse.Namespace, running: _stacks.Running, stack: ExitStack) -> dict:
    from shared.messaging.kafka import ensure_topics, platform_topics
    ensure_topics(running.bootstrap, platform_topics())
    key = running.stack.key
    threads = args.threads or (1 if running.stack.database == "sqlite" else 4)
    variants = {}
    for mode, app in (("outbox", "surveys.entrypoints.wsgi:app"), ("plain", "survey_ingest:plain_app()")):
        data = running.folder / mode
        data.mkdir()
        url = running.database("surveys", data)
        env, token = prepare_database(data, running.bootstrap, url)
        port = start_gunicorn(stack, env, app, args.workers, threads)
        if mode == "outbox":
            start_relay(stack, env)
        variants[mode] = {"url": url, "port": port, "token": token, "seconds": 0.0, "errors": 0, "sent": 0}
        progress(f"{key} {mode}: gunicorn on port {port}" + (", relay running" if mode == "outbox" else ""))
    for mode in ("plain", "outbox") * args.rounds:
        warm = variants[mode]
        answer_burst(warm["port"], warm["token"], 50, args.clients)  # connections and caches warm
        warm["sent"] += 50
        seconds, errors = answer_burst(warm["port"], warm["token"], args.requests, args.clients)
        warm["seconds"] += seconds
        warm["errors"] += errors
        warm["sent"] += args.requests
        progress(f"{key} {mode}: {args.requests} answers in {seconds:.2f} s ({args.requests / seconds:.0f}/s)")
    latency = {}
    for mode in ("outbox", "plain"):
        chosen = variants[mode]
        latencies, errors = fixed_rate(chosen["port"], chosen["token"], args.rate, args.seconds)
        chosen["errors"] += errors
        chosen["sent"] += len(latencies)
        latency[mode] = latencies
        progress(f"{key} {mode}: {len(latencies)} answers at {args.rate}/s, "
                 f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms")
    outbox_counts = wait_published(variants["outbox"]["url"])
    plain_counts = count_rows(variants["plain"]["url"])
    check(variants, outbox_counts, plain_counts)
    total = args.requests * args.rounds
    outbox_rps = total / variants["outbox"]["seconds"]
    plain_rps = total / variants["plain"]["seconds"]
    progress(f"{key}: outbox vs plain {outbox_rps:.0f} / {plain_rps:.0f} = {outbox_rps / plain_rps:.3f}")
    return running.figures(
        server=f"gunicorn {version('gunicorn')}, {args.workers} gthread workers x {threads} thread(s), "
               f"{running.stack.database_name}, relay publishing to {running.stack.broker} meanwhile",
        outbox_rps=round(outbox_rps, 1), plain_rps=round(plain_rps, 1),
        outbox_vs_plain_ratio=round(outbox_rps / plain_rps, 3),
        p50_ms=round(percentile(latency["outbox"], 0.50) * 1000, 1),
        p95_ms=round(percentile(latency["outbox"], 0.95) * 1000, 1),
        p99_ms=round(percentile(latency["outbox"], 0.99) * 1000, 1),
        plain_p95_ms=round(percentile(latency["plain"], 0.95) * 1000, 1),
        events_published=outbox_counts[2], errors=0)


def check(variants: dict, outbox_counts: tuple, plain_counts: tuple) -> None:
    errors = {mode: chosen["errors"] for mode, chosen in variants.items() if chosen["errors"]}
    if errors:
        raise RuntimeError(f"answers refused: {errors}")
    sent = variants["outbox"]["sent"]
    if outbox_counts != (sent, sent, sent):
        raise RuntimeError(f"outbox variant: sent {sent}, (responses, outbox rows, published) = {outbox_counts}")
    if plain_counts != (variants["plain"]["sent"], 0, 0):
        raise RuntimeError(f"plain variant: sent {variants['plain']['sent']}, counts {plain_counts}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="answers per variant (outbox, plain) and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per variant, alternating")
    parser.add_argument("--clients", type=int, default=8, help="client threads during the bursts")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per gunicorn worker (default: 1 on SQLite, 4 on PostgreSQL)")
    _stacks.add_stacks_option(parser)
    parser.add_argument("--rate", type=float, default=40.0, help="answers per second for the latency stage")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency stage")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    sys.path[:0] = [str(REPO), str(REPO / "services" / "surveys")]
    args = parse_args(argv)
    stop_on_sigterm()  # the Kafka nodes run in sessions of their own: the ExitStack must stop them
    try:
        with ExitStack() as stack:
            result = run(args, stack)
    except KeyboardInterrupt:
        print("interrupted; servers and brokers stopped, databases dropped", file=sys.stderr)
        return 130
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
