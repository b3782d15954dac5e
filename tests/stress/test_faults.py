"""Faults — nothing lost, nothing counted twice (issue 8).

`make run` (real SQLite databases, every service) on a temporary folder, on the embedded
broker (noida-db) or, with ASP_BROKER=kafka ASP_KAFKA_NODES=3 (`make test-kafka`), on a
3-node Apache Kafka cluster; several communes work through the HTTP APIs while faults are
injected at seeded random moments (tests/stress/fault_injector.py says which, and what
each stands for). On the 3-node Kafka cluster the Kafka nemeses run too, one at a time
(the leader of most partitions SIGKILLed, a node SIGSTOPped for 15 s, the active controller
SIGKILLed, each node restarted), and after the work phase the whole cluster is stopped and
started again, then SIGKILLed and started again; the end offsets of every platform topic
must not shrink. The report gives each nemesis's time to recover (fault_injector.py says
what is measured) and the producer, consumer and cluster settings in force.
Then, once the platform is quiet:

1. every outbox row is published, every topic holds exactly the events of its outbox
   (duplicates allowed, none missing, none unknown), and reporting's inbox holds every
   one of them: nothing lost;
2. every acknowledged write is at its source, and the source holds no more than was
   acknowledged plus what was retried blind (fault_client.py explains the retries);
3. for every commune, every figure of reporting's dashboard equals what the sources
   hold, exactly (fault_truth.py); survey answers are summed, so a double would show;
4. `python -m reporting.entrypoints.rebuild` (as is) replays every topic from the
   beginning into a new generation: the dashboards do not change;
5. a malformed message and an event of an unknown type, put on a topic, go to the
   consumer's dead-letter topic, are counted by asp_events_dead_lettered_total on the
   consumer's /metrics, and the consumer applies the good event behind them.

Knobs: ASP_FAULTS_SECONDS (how long faults are injected, default 60), ASP_FAULTS_SEED
(replay a run: the seed is printed), ASP_FAULTS_COMMUNES (default 4),
ASP_FAULTS_LONG_LOCK_SECONDS (one database outage longer than the busy timeout, default
33; 0 for none), ASP_FAULTS_BROKER_RESTART=1 (stop and start the broker too) and
ASP_FAULTS_BROKER_CRASH=1 (also SIGKILL it): both off by default, because noida-db can
lose records it acknowledged just before it stops (fault_injector.py has the figures;
tests/shared/test_broker_restart.py proves our side of a restart).
ASP_FAULTS_KAFKA_NEMESES=0 turns the Kafka nemeses and whole-cluster restarts off (on by
default on a 3-node Kafka cluster; the work phase, and the faults of the other kinds, last
until each nemesis has happened and the platform recovered: about 2 to 3 minutes, even when
ASP_FAULTS_SECONDS is shorter).
The counts go to the output and to test-artifacts/faults.json.
Thread timing makes a replay follow the same fault plan, not the same interleaving.
"""
from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy.orm import Session

from shared.config import load_settings
from shared.contracts import Event, serialize, topic_of
from shared.messaging.embedded_broker import free_port
from shared.messaging.inbox import dead_letter_topic
from shared.messaging.local_broker import broker_kind, kafka_nodes
from shared.service import ServiceRuntime
from reporting.service_layer.generations import GROUP_PREFIX
from tests.stress.fault_client import Client
from tests.stress.fault_injector import KAFKA_NEMESES, FaultInjector, KafkaNemeses, Probe
from tests.stress.fault_platform import REPO, Platform
from tests.stress.fault_quiet import admin_headers, handled_types, nothing_lost, reporting_group, wait_quiet
from tests.stress.fault_scenario import Scenario
from tests.stress.fault_truth import Sources, differences, regional_average

pytestmark = [pytest.mark.slow, pytest.mark.embedded, pytest.mark.broker]

SECONDS = float(os.environ.get("ASP_FAULTS_SECONDS", "60"))
SEED = int(os.environ.get("ASP_FAULTS_SEED") or random.SystemRandom().randrange(10**6))
COMMUNES = int(os.environ.get("ASP_FAULTS_COMMUNES", "4"))
LONG_LOCK_S = float(os.environ.get("ASP_FAULTS_LONG_LOCK_SECONDS", "33"))
BROKER_RESTARTS = os.environ.get("ASP_FAULTS_BROKER_RESTART") == "1"  # see fault_injector.py
BROKER_CRASH = os.environ.get("ASP_FAULTS_BROKER_CRASH") == "1"
KAFKA_NEMESES_ON = os.environ.get("ASP_FAULTS_KAFKA_NEMESES", "1") != "0"  # on a 3-node Kafka cluster
# The nemeses with their recoveries and the two whole-cluster restarts take about 4 minutes
# more than the run's 2 to 3 (each node start is 10-30 s on two shared cores).
TIMEOUT_S = 300 + (600 if KAFKA_NEMESES_ON and broker_kind() == "kafka" and kafka_nodes(default=3) == 3 else 0)
THRESHOLD = 5
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def platform(tmp_path):
    platform = Platform(tmp_path)
    yield platform
    platform.cleanup()


@pytest.mark.timeout(TIMEOUT_S)
def test_faults_lose_nothing_and_count_nothing_twice(platform, tmp_path):
    print(f"\nfault run: seed {SEED} (replay with ASP_FAULTS_SEED={SEED}), {SECONDS:.0f} s of faults, "
          f"{COMMUNES} communes, data in {tmp_path}")
    report: dict = {"seed": SEED, "fault_seconds": SECONDS, "communes": COMMUNES, "timings_s": {}}
    began = time.monotonic()
    platform.start_broker()
    report["timings_s"]["first_start"] = round(platform.start_runner(), 1)

    client = Client(platform.base)
    scenario = Scenario(client, SEED, COMMUNES)
    scenario.onboard()
    injector = FaultInjector(platform, SEED, SECONDS, LONG_LOCK_S, threading.Event(), BROKER_RESTARTS, BROKER_CRASH)
    nemeses = None
    if platform.kafka and KAFKA_NEMESES_ON:
        report["kafka"] = {"settings": platform.kafka_settings()}
        probe = Probe(platform, SEED)
        probe.onboard(partitions=len(platform.end_offsets([topic_of("programme")])))
        nemeses = KafkaNemeses(platform, probe, SEED, SECONDS, injector)
    done = threading.Event()
    workers = [threading.Thread(target=scenario.work, args=(commune, done, SEED + n), name=commune.slug)
               for n, commune in enumerate(scenario.communes)]
    phase = time.monotonic()
    for worker in workers:
        worker.start()
    if nemeses:
        nemeses.start()
        injector.keep_going = nemeses.is_alive  # relays, consumers, web killed as long as the nemeses run
    injector.start()
    if nemeses:
        nemeses.join(SECONDS + 1200)
    injector.join(SECONDS + 300)
    done.set()
    for worker in workers:
        worker.join(300)
    report["timings_s"]["faults_and_work"] = round(time.monotonic() - phase, 1)
    report["faults"] = dict(sorted((injector.counts + (nemeses.counts if nemeses else Counter())).items()))
    report["fault_log"] = sorted(injector.log + (nemeses.log if nemeses else []))
    report["runner_restart_s"] = [round(s, 1) for s in injector.runner_restart_s]
    report["broker_down_s"] = [round(s, 1) for s in injector.broker_down_s]
    report["requests"] = dict(sorted(client.counts.items()))
    report["answers_by_action"] = dict(sorted(scenario.answers.items()))
    report["refusal_samples"] = client.refusals
    _write(report)
    assert injector.error is None, f"the fault injector failed: {injector.error!r}"
    assert not injector.is_alive() and not any(w.is_alive() for w in workers)
    assert not scenario.errors, scenario.errors[:10]
    assert all(injector.offsets_kept), "the broker lost records over a restart"
    assert client.counts["failed"] == 0, "requests went unanswered for two minutes"
    if nemeses:
        _kafka_report(report, nemeses)
        assert nemeses.error is None, f"a Kafka nemesis failed: {nemeses.error!r}"
        assert not nemeses.is_alive()
        assert set(nemeses.counts) == set(KAFKA_NEMESES), f"not every Kafka nemesis happened: {nemeses.counts}"

        # The whole cluster, stopped cleanly then killed, each time started again.
        phase = time.monotonic()
        for crash in (False, True):
            nemeses.restart_cluster(crash)
        report["timings_s"]["kafka_cluster_restarts"] = round(time.monotonic() - phase, 1)
        _kafka_report(report, nemeses)
        assert all(r["offsets_kept"] for r in nemeses.records if "offsets_kept" in r), \
            "Apache Kafka lost acknowledged records over a whole-cluster restart"

    # 1. quiet, and nothing lost on the way
    phase = time.monotonic()
    group = wait_quiet(platform)
    report["timings_s"]["quiet"] = round(time.monotonic() - phase, 1)
    report["pipeline"] = nothing_lost(platform, group)

    # 2 and 3. the sources, and reporting against them
    headers = admin_headers(client)
    sources = Sources(client, headers, platform.data, THRESHOLD)
    handled = handled_types()
    communes = sources.communes()
    assert {c.slug for c in scenario.communes} <= set(communes)
    report["acknowledged"] = _acknowledged_writes_kept(client, scenario, headers)
    expected = {commune: sources.expected(commune, handled) for commune in communes}
    before = {}
    compared = {}
    wrong = []
    for commune in communes:
        before[commune] = client.get(f"/reporting/api/v1/communes/{commune}/dashboard", headers)
        count, diffs = differences(expected[commune], before[commune])
        compared[commune] = count
        wrong += [f"{commune} {d}" for d in diffs]
    report["figures_compared"] = compared
    _write(report)
    assert not wrong, "reporting differs from the sources:\n" + "\n".join(wrong[:40])

    # 4. replaying every topic into a new generation changes nothing
    phase = time.monotonic()
    rebuilt = subprocess.run([sys.executable, "-m", "reporting.entrypoints.rebuild"], cwd=REPO, env=platform.env,
                             capture_output=True, text=True, timeout=300)
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    report["timings_s"]["rebuild"] = round(time.monotonic() - phase, 1)
    averages = regional_average(expected)
    for commune in communes:
        after = client.get(f"/reporting/api/v1/communes/{commune}/dashboard", headers)
        assert {k: v for k, v in after.items() if k != "regional_average"} == \
               {k: v for k, v in before[commune].items() if k != "regional_average"}, f"{commune}: the rebuild changed it"
        assert differences(expected[commune], after)[1] == []
        for key, value in averages.items():  # sums of floats in another order: to 1e-12
            got = after["regional_average"][key]
            assert (got is None and value is None) or math.isclose(got, value, rel_tol=1e-12), (key, got, value)
    report["regional_average_compared"] = len(averages)
    assert "generation 2 now serves" in rebuilt.stdout, rebuilt.stdout[-500:]

    # 5. dead letters
    phase = time.monotonic()
    assert platform.stop_runner() == 0, platform.runner_log()[-2000:]
    report["dead_letters"] = _dead_letters(platform)
    report["timings_s"]["dead_letters"] = round(time.monotonic() - phase, 1)
    report["timings_s"]["total"] = round(time.monotonic() - began, 1)
    _write(report)
    _print(report)


def _kafka_report(report: dict, nemeses: KafkaNemeses) -> None:
    report["kafka"].update(nemeses=nemeses.summary(), nemesis_log=nemeses.records,
                           whole_checks_topics=nemeses.platform.kafka_topics(),
                           probe={"communes": nemeses.probe.communes,
                                  "requests": dict(sorted(nemeses.probe.client.counts.items()))})
    report["fault_log"] = sorted(set(report["fault_log"]) | set(nemeses.log))
    report["faults"].update(nemeses.counts)
    _write(report)


# -- acknowledged writes ----------------------------------------------------------------------
def _acknowledged_writes_kept(client: Client, scenario: Scenario, headers: dict) -> dict:
    """Each acknowledged creation is at its source; survey answers are between what was
    acknowledged and that plus what was retried without knowing (a double at the source)."""
    totals: Counter = Counter()
    for commune in scenario.communes:
        c = commune.slug
        names = {
            "themes": {t["title"] for t in client.get(f"/programme/api/v1/communes/{c}/themes", headers)},
            "objectives": {o["title"] for o in client.get(f"/programme/api/v1/communes/{c}/objectives", headers)},
            "actions": {a["title"] for a in client.get(f"/programme/api/v1/communes/{c}/actions", headers)},
            "partners": {p["name"] for p in client.get(f"/partners/api/v1/communes/{c}/partners", headers)},
        }
        surveys = client.get(f"/surveys/api/v1/communes/{c}/surveys", headers)
        names["surveys"] = {s["title"]["fr"] if isinstance(s["title"], dict) else s["title"] for s in surveys}
        events = client.get(f"/events/api/v1/communes/{c}/events", headers)
        names["events"] = {e["title"] for e in events}
        names["registrations"], names["feedback"] = set(), set()
        for event in events:
            path = f"/events/api/v1/communes/{c}/events/{event['id']}"
            # residents' names and comments: the commune's coordination only, not the region
            names["registrations"] |= {r["name"] for r in client.get(f"{path}/registrations", commune.headers)}
            names["feedback"] |= {a["comment"] for a in client.get(f"{path}/feedback", commune.headers)["answers"]}
        for kind, acknowledged in commune.acked_names.items():
            lost = acknowledged - names[kind]
            assert not lost, f"{c}: acknowledged {kind} lost: {sorted(lost)[:5]}"
            totals[kind] += len(acknowledged)
        for survey in surveys:
            held, acked, blind = survey["responses"], commune.responses[survey["id"]], commune.responses_ambiguous[survey["id"]]
            assert acked <= held <= acked + blind, f"{c} survey {survey['id']}: {held} held, {acked} acknowledged, {blind} blind"
            totals["survey_answers_acknowledged"] += acked
            totals["survey_answers_held"] += held
            totals["survey_answers_retried_blind"] += blind
    return dict(sorted(totals.items()))


# -- dead letters -----------------------------------------------------------------------------
def _dead_letters(platform: Platform) -> dict:
    """The platform is stopped; reporting's consumer runs alone, as its own process with
    its /metrics, reading its live group. Two bad messages, then a good one, same key."""
    group = reporting_group(platform)
    metrics_port = free_port()
    log = open(platform.folder / "dead-letter-consumer.log", "w")
    consumer = subprocess.Popen([sys.executable, "-m", "reporting.entrypoints.consumer"], cwd=REPO,
                                env={**platform.env, "ASP_WORKER_METRICS_PORT": str(metrics_port)},
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        probe = f"dead-letter-probe-{SEED}"
        malformed = b'{"event_id": "not-even-json'
        unknown = json.dumps({"event_id": "6f1c3c1e-0000-4000-8000-000000000001", "type": "programme.CommuneRenamed",
                              "version": 1, "occurred_at": "2026-11-27T10:00:00+00:00", "commune": probe,
                              "source": "programme", "correlation_id": "fault-test", "payload": {"name": "x"}}).encode()
        good = Event(type="programme.CommuneOnboarded", commune=probe, source="programme",
                     payload={"slug": probe, "name": "Sonde", "canton": "JU", "population": 100,
                              "onboarded_on": "2026-11-27"})
        producer = KafkaProducer(bootstrap_servers=platform.bootstrap, acks="all")
        for value in (malformed, unknown, serialize(good)):
            producer.send(topic_of("programme"), key=probe.encode(), value=value).get(30)
        producer.close()

        settings = load_settings({**platform.env})
        from reporting.bootstrap import definition
        from reporting.service_layer.dashboard import commune_dashboard
        from shared.errors import NotFound
        runtime = ServiceRuntime(definition, settings)
        deadline = time.monotonic() + 120
        while True:
            assert consumer.poll() is None, (platform.folder / "dead-letter-consumer.log").read_text()[-2000:]
            try:
                with Session(runtime.engine) as session:
                    applied = commune_dashboard(session, probe, "fr", THRESHOLD, {})["commune"]["name"] == "Sonde"
                    break
            except NotFound:
                assert time.monotonic() < deadline, "the consumer did not go on past the bad messages"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as answer:
            metrics = answer.read().decode()
        counted = _metric(metrics, "asp_events_dead_lettered_total", group)
        assert counted == 2.0, [line for line in metrics.splitlines() if "dead_lettered" in line]
        # The topic compose and Kubernetes create, not one per generation of the read models.
        letters = _read_raw(platform.bootstrap, dead_letter_topic(GROUP_PREFIX))
        assert sorted(value for value, _ in letters) == sorted([malformed, unknown]), letters
        reasons = [headers.get("error", b"").decode() for _, headers in letters]
        assert any("not a JSON event" in r for r in reasons) and any("unknown event type" in r for r in reasons), reasons
        return {"sent_bad": 2, "dead_lettered_metric": counted, "on_dead_letter_topic": len(letters),
                "good_event_applied_after_them": applied, "reasons": [r[:80] for r in reasons]}
    finally:
        consumer.terminate()
        consumer.wait(60)


def _metric(text: str, name: str, group: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and f'group="{group}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _read_raw(bootstrap: str, topic: str, timeout_s: float = 30) -> list[tuple[bytes, dict]]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout_s
        while not consumer.partitions_for_topic(topic):
            assert time.monotonic() < deadline, f"no topic {topic}"
            time.sleep(0.2)
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        out = []
        while any(consumer.position(p) < ends[p] for p in partitions):
            assert time.monotonic() < deadline
            for records in consumer.poll(timeout_ms=200).values():
                out += [(r.value, dict(r.headers)) for r in records]
        return out
    finally:
        consumer.close()


# -- the report -------------------------------------------------------------------------------
def _write(report: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "faults.json").write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))


def _print(report: dict) -> None:
    shown_keys = ("seed", "faults", "requests", "pipeline", "acknowledged", "figures_compared",
                  "regional_average_compared", "dead_letters", "runner_restart_s", "broker_down_s", "timings_s")
    shown = {k: report.get(k) for k in shown_keys}
    if "kafka" in report:  # the recoveries, and what the durability rests on
        kafka = report["kafka"]
        shown["kafka"] = {"nemeses": kafka.get("nemeses"), "settings": {
            key: kafka["settings"][key] for key in ("producer", "consumer", "fsync_each_record", "durability")},
            "brokers": kafka["settings"]["brokers"].get("1")}
    print(json.dumps(shown, indent=1, default=str, ensure_ascii=False))
