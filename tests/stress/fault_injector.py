"""The faults, injected at seeded random moments while the communes work.

| kind | what is done | what it stands for |
| --- | --- | --- |
| relay_sigkill | SIGKILL one service's outbox relay process (preferably while it runs on a CPU); the runner restarts it within 2 s | the relay dies at any line, e.g. between publishing and marking |
| relay_mark_lost | set `published_at` back to NULL on random already-published outbox rows of one service; its relay publishes them again | deterministically, what a relay killed between Kafka's acknowledgement and its mark leaves: the same events twice on the broker, later and out of order |
| consumer_sigkill | SIGKILL one consumer process (preferably while it runs: mid-batch); the runner restarts it | a consumer dying between its database commit and its offset commit, or before either |
| web_sigkill | SIGKILL the runner, which is the web process of all five apps (its workers get SIGTERM by PDEATHSIG), then start `make run` again | a web process killed while requests are in flight; the client gets no answer and retries |
| broker_restart | stop the broker (SIGTERM; with ASP_FAULTS_BROKER_CRASH=1 also SIGKILL) and start it again on the same folder and port after 1–4 s; the end offsets of every partition must be at least what they were | a broker restart; that the broker keeps its log on disk |
| db_lock | hold the write lock of one service's SQLite file (BEGIN EXCLUSIVE on a connection of the test) for a while: short (a few s: writers queue), or long (longer than the 30 s busy timeout: writers fail with `database is locked`, an OperationalError, the exception a refused PostgreSQL connection raises too) | the database refusing work for a while |

On a 3-node Apache Kafka cluster (`ASP_BROKER=kafka ASP_KAFKA_NODES=3`, the fault run of
`make test-kafka`) the Kafka nemeses below are on by default (ASP_FAULTS_KAFKA_NEMESES=0
turns them off), beside the faults above, as Jepsen tests Kafka. One broker fault at a
time, each followed by the restart of the node it hit, so that 2 of the 3 nodes are always
up (min.insync.replicas=2: writes go on). Each kind happens once at a seeded moment of the
work phase (seeded order, seeded gaps), then again at random while time is left:

| kind | what is done | what it stands for |
| --- | --- | --- |
| kafka_leader_sigkill | SIGKILL the node that leads most partitions (of every topic, `__consumer_offsets` included); start it again after a seeded 1–5 s | a broker's machine or process dying under the leaders of most partitions and of group coordinators |
| kafka_pause | SIGSTOP a seeded node for 15 s, then SIGCONT | a broker that stops answering without closing its connections (a long GC pause, a frozen VM): longer than the broker session (9 s), so the controller fences it and its partitions elect other leaders, and the node comes back to find itself behind |
| kafka_controller_kill | SIGKILL the active KRaft controller (the quorum leader of `__cluster_metadata`, asked with DescribeQuorum: describe_cluster's controller id is any broker in KRaft); start it again after a seeded 1–5 s | the cluster's metadata leader dying: a new controller is elected while the node's partitions also lose their leader |

After the work phase, before the quiet checks, the whole cluster is stopped cleanly
(SIGTERM to every node) and started again, then SIGKILLed (every node at once) and started
again; the end offsets of every platform topic must not shrink over either.

For every nemesis the report gives its time to recover, from the fault (the signal sent):
- `cluster_whole_s`: until the cluster is whole again: every node serving requests itself
  and unfenced, and every partition of every topic (the platform's event and dead-letter
  topics, `__consumer_offsets`) led, with all 3 nodes in its ISR. The cluster's metadata
  alone is not enough: for seconds after a SIGKILL it still counts the dead node alive and
  in sync. The time is taken at the end of the first check that finds it whole (a check
  takes 0.5–1.5 s on two busy cores): an upper bound, to within one check;
- `platform_recovered_s`: until a write made through HTTP at the moment of the fault is on
  reporting's dashboard, for every partition of programme.events (a theme in each of the
  probe communes, one commune per partition: whoever leads a partition, one write goes
  through it): the relay has published it through the cluster and reporting's consumer has
  applied it. It can end before the cluster is whole (the writes need a leader and 2 in
  sync replicas, not 3);
- `fresh_write_s`: then, the same round trip for a write made at that moment: the
  platform's latency once recovered;
- `other_faults`: the faults of the table above that overlapped the recovery and the fresh
  write, which may have delayed them (a long db_lock of programme or reporting delays the
  probe by 33 s, a web_sigkill by the runner's restart).
For the whole-cluster restarts the probe write is made once every node is down, and
`stop_s` is how long the stop took (a clean one: controlled shutdowns).

Broker restarts are off by default on the embedded broker (ASP_FAULTS_BROKER_RESTART=1
turns them on) because noida-db 0.2.3 does not keep every acknowledged record over a stop
either: one run lost 1 of 8,638 records acknowledged 3 s before a clean SIGTERM stop (its
log is one JSON file, rewritten about once a second, slower as it grows). What a broker
restart asks of *our* side — relays and consumers riding it out, every event applied once —
is proved with the same broker by tests/shared/test_broker_restart.py.

A broker *crash* is off by default on the embedded broker too because noida-db 0.2.3 does
not survive one: it writes its log to disk about once a second, and acknowledges
(acks=all) before, so a SIGKILL loses the records of the last second (measured: 0 of 500
acknowledged records kept when killed 0–0.5 s after the acknowledgements, 500 of 500 after
1.5 s). The relay has marked those rows sent, so the events are lost for every consumer.
With ASP_FAULTS_BROKER_CRASH=1 the test shows it (the end offsets shrink over the restart
and the test fails). Apache Kafka does not lose acknowledged records to a process kill,
not even of all its nodes: they are in the page cache of every in-sync replica before the
acknowledgement (the Kafka nemeses and the whole-cluster SIGKILL above show it).

What db_lock does not simulate, and why: on SQLite a "connection" is opening a file, it
cannot be refused the way a PostgreSQL server refuses one; in WAL mode a held write lock
leaves readers running (reads keep working during the outage); and a connection pool
that loses its connections to a server restart (pre-ping, reconnect) has no SQLite
equivalent. Making the file unreadable does not work either: the pooled connections keep
their open file descriptors. What it covers is every write path (web requests → 503 →
client retry; the relay's mark; the consumer's transaction) failing with OperationalError
and the code's recovery from it.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
import time
from collections import Counter

from kafka.partitioner import murmur2

from shared.contracts import topic_of
from shared.config import SERVICES
from shared.messaging.kafka import platform_topics

from tests.stress.fault_client import Client
from tests.stress.fault_platform import Platform, process_state

SOURCES = ("programme", "surveys", "events", "partners")
KINDS = ("relay_sigkill", "relay_mark_lost", "consumer_sigkill", "web_sigkill", "broker_restart", "db_lock")
WEIGHTS = (4, 2, 4, 1, 2, 2)
KAFKA_NEMESES = ("kafka_leader_sigkill", "kafka_pause", "kafka_controller_kill")
PAUSE_S = 15.0
WHOLE_WITHIN_S = 180.0    # a cluster not whole by then is a finding, not load
VISIBLE_WITHIN_S = 300.0  # a probe write may wait out a long db_lock and a web restart


class FaultInjector(threading.Thread):
    def __init__(self, platform: Platform, seed: int, seconds: float, long_lock_s: float,
                 platform_down: threading.Event, broker_restarts: bool = False, broker_crash: bool = False):
        super().__init__(name="faults", daemon=True)
        self.platform = platform
        self.random = random.Random(seed)
        self.seconds = seconds
        self.long_lock_s = long_lock_s
        self.down = platform_down  # set while the runner is being restarted
        self.broker_crash = broker_crash
        self.weights = [w if k != "broker_restart" or broker_restarts or broker_crash else 0
                        for k, w in zip(KINDS, WEIGHTS)]
        self.counts: Counter = Counter()
        self.log: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.runner_restart_s: list[float] = []
        self.broker_down_s: list[float] = []
        self.offsets_kept: list[bool] = []
        self.timeline: list[list] = []  # [start, end, what] (monotonic): what overlapped a Kafka nemesis
        self.keep_going = lambda: False  # past `seconds` while this holds (the Kafka nemeses still run)

    def run(self) -> None:
        began = time.monotonic()
        long_lock_at = began + self.random.uniform(0.2, 0.5) * self.seconds if self.long_lock_s else None
        try:
            while not self.stop.is_set() and (time.monotonic() - began < self.seconds or self.keep_going()):
                if self.stop.wait(self.random.uniform(1.0, 4.0)):
                    break
                if long_lock_at and time.monotonic() >= long_lock_at:
                    long_lock_at = None
                    self.inject("db_lock", self.long_lock_s)
                    continue
                self.inject(self.random.choices(KINDS, self.weights)[0])
        except BaseException as error:  # noqa: BLE001 — reported by the test
            self.error = error

    def note(self, kind: str, detail: str) -> list:
        self.counts[kind] += 1
        self.log.append(f"{time.strftime('%H:%M:%S')} {kind}: {detail}")
        now = time.monotonic()
        self.timeline.append(span := [now, now, f"{kind}: {detail}"])
        return span

    def overlapping(self, began: float, ended: float) -> list[str]:
        return [what for start, end, what in list(self.timeline) if start <= ended and end >= began]

    def inject(self, kind: str, lock_s: float | None = None) -> None:
        getattr(self, kind)(lock_s) if kind == "db_lock" else getattr(self, kind)()

    # -- the faults -------------------------------------------------------------------------
    def _busy_worker(self, kind: str, service: str | None = None) -> tuple[int, str, bool] | None:
        """A worker of that kind, caught running if that happens within a second."""
        deadline = time.monotonic() + 1.0
        while True:
            workers = {pid: m for pid, m in self.platform.worker_pids(kind).items()
                       if service is None or m.startswith(f"{service}.")}
            if not workers:
                return None
            running = [pid for pid in workers if process_state(pid) == "R"]
            if running or time.monotonic() > deadline:
                pid = self.random.choice(running or sorted(workers))
                return pid, workers[pid], bool(running)
            time.sleep(0.01)

    def _kill(self, kind: str, fault: str, service: str | None = None) -> None:
        found = self._busy_worker(kind, service)
        if found is None:
            self.counts[f"{fault}_skipped_no_process"] += 1
            return
        pid, module, running = found
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            self.counts[f"{fault}_skipped_no_process"] += 1
            return
        self.note(fault, f"{module} pid {pid} ({'running' if running else 'idle'})")
        if running:
            self.counts[f"{fault}_while_running"] += 1

    def relay_sigkill(self) -> None:
        self._kill("relay", "relay_sigkill", self.random.choice(SOURCES))

    def consumer_sigkill(self) -> None:
        self._kill("consumer", "consumer_sigkill")

    def relay_mark_lost(self) -> None:
        service = self.random.choice(SOURCES)
        with sqlite3.connect(self.platform.data / f"{service}.db", timeout=60) as connection:
            ids = [row[0] for row in connection.execute(
                "SELECT id FROM outbox WHERE published_at IS NOT NULL ORDER BY id DESC LIMIT 200")]
            chosen = self.random.sample(ids, min(len(ids), self.random.randint(1, 25)))
            connection.executemany("UPDATE outbox SET published_at = NULL WHERE id = ?", [(i,) for i in chosen])
        self.counts["relay_mark_lost_rows"] += len(chosen)
        self.note("relay_mark_lost", f"{service}: {len(chosen)} published rows unmarked")

    def web_sigkill(self) -> None:
        self.down.set()
        try:
            self.platform.kill_runner()
            span = self.note("web_sigkill", "runner (web process of the five apps) killed")
            time.sleep(self.random.uniform(0.0, 2.0))
            self.runner_restart_s.append(self.platform.start_runner())
            span[1] = time.monotonic()
        finally:
            self.down.clear()

    def broker_restart(self) -> None:
        topics = [topic_of(s) for s in SERVICES if s != "reporting"]
        before = self.platform.end_offsets(topics)
        crash = self.broker_crash and self.random.random() < 0.5
        with self.platform.broker_lock:  # never during a Kafka nemesis
            began = time.monotonic()
            self.platform.stop_broker(crash=crash)
            time.sleep(self.random.uniform(1.0, 4.0))
            self.platform.start_broker()
            self.broker_down_s.append(time.monotonic() - began)
        after = self.platform.end_offsets(topics)
        kept = all(after.get(key, -1) >= end for key, end in before.items())
        self.offsets_kept.append(kept)
        self.note("broker_restart", f"{'SIGKILL' if crash else 'SIGTERM'}; "
                                    f"{sum(before.values())} records before, {sum(after.values())} after")
        self.counts["broker_restart_sigkill" if crash else "broker_restart_sigterm"] += 1

    def db_lock(self, seconds: float | None = None) -> None:
        service = self.random.choice(SERVICES)
        seconds = seconds or self.random.uniform(2.0, 6.0)
        holder = sqlite3.connect(self.platform.data / f"{service}.db", timeout=60, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            self.note("db_lock", f"{service}.db write-locked for {seconds:.1f} s")[1] += seconds
            self.counts["db_lock_long" if seconds > 30 else "db_lock_short"] += 1
            self.stop.wait(seconds) if seconds <= 30 else time.sleep(seconds)
            holder.execute("ROLLBACK")
        finally:
            holder.close()


# -- Apache Kafka: the nemeses and the platform's own measure of recovery --------------------
class Probe:
    """A write through HTTP, looked for on reporting's dashboard. One probe commune per
    partition of programme.events (the key is the commune), so that a round of writes goes
    through every partition, whoever leads it; each write is a theme, which the dashboard
    lists by title. The probe communes are compared with their sources like the others."""

    def __init__(self, platform: Platform, seed: int):
        self.client = Client(platform.base)
        self.prefix = f"probe-{seed % 10000}"
        self.communes: list[str] = []
        self.headers: dict = {}
        self.rounds = 0
        self._lock = threading.Lock()

    def onboard(self, partitions: int) -> None:
        _, token = self.client.call("POST", "/programme/api/v1/auth/token",
                                    {"email": "region@asp.example", "password": "demo"})
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}
        by_partition: dict[int, str] = {}
        candidates = (f"{self.prefix}-{n}" for n in range(10**4))
        while len(by_partition) < partitions:  # the producer's partitioner: murmur2 of the key
            slug = next(candidates)
            by_partition.setdefault((murmur2(slug.encode()) & 0x7FFFFFFF) % partitions, slug)
        self.communes = [by_partition[p] for p in sorted(by_partition)]
        for slug in self.communes:
            status, _ = self.client.call("POST", "/programme/api/v1/communes",
                                         {"slug": slug, "name": f"Sonde {slug}", "canton": "JU", "population": 300,
                                          "onboarded_on": "2026-01-05"}, self.headers,
                                         already_there=lambda s=slug: self._get(f"/programme/api/v1/communes/{s}"))
            assert status in (201, 409), status
        self.wait_seen({slug: None for slug in self.communes}, time.monotonic() + 120)

    def _get(self, path: str):
        status, body = self.client.once("GET", path, headers=self.headers)
        if status in (502, 503, 504):
            raise OSError(str(status))
        return body if status == 200 else None

    def write(self, tag: str) -> dict[str, str]:
        """A theme in every probe commune; retried (without doubles) until acknowledged."""
        with self._lock:
            self.rounds += 1
            title = f"Sonde {tag} {self.rounds}"
        for slug in self.communes:
            path = f"/programme/api/v1/communes/{slug}/themes"
            status, _ = self.client.call("POST", path, {"title": title}, self.headers, already_there=lambda p=path: next(
                (t for t in self._get(p) or () if t["title"] == title), None))
            assert status == 201, (path, status)
        return dict.fromkeys(self.communes, title)

    def wait_seen(self, written: dict[str, str | None], deadline: float) -> None:
        """Until every commune's dashboard shows its write (or, for None, exists)."""
        waiting = dict(written)
        while waiting:
            for slug, title in list(waiting.items()):
                try:
                    dashboard = self._get(f"/reporting/api/v1/communes/{slug}/dashboard")
                except OSError:
                    dashboard = None
                if dashboard is not None and (title is None or title in {t["title"] for t in dashboard["plan"]["themes"]}):
                    del waiting[slug]
            assert not waiting or time.monotonic() < deadline, f"probe writes never on reporting's dashboard: {waiting}"
            time.sleep(0.2)

    def round_trip(self, tag: str, since: float) -> float:
        """Seconds from `since` until a write made now is on every probe commune's dashboard."""
        self.wait_seen(self.write(tag), time.monotonic() + VISIBLE_WITHIN_S)
        return time.monotonic() - since


class KafkaNemeses(threading.Thread):
    """The Kafka nemeses of the module's docstring, one at a time, during the work phase;
    `restart_cluster` for the whole-cluster restarts after it."""

    def __init__(self, platform: Platform, probe: Probe, seed: int, seconds: float, injector: FaultInjector):
        super().__init__(name="kafka-nemeses", daemon=True)
        self.platform = platform
        self.cluster = platform.kafka
        self.probe = probe
        self.random = random.Random(f"kafka-nemeses-{seed}")
        self.seconds = seconds
        self.injector = injector  # its timeline: the faults that overlapped a recovery
        self.counts: Counter = Counter()
        self.log: list[str] = []
        self.records: list[dict] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.began = time.monotonic()

    def run(self) -> None:
        self.began = time.monotonic()
        plan = list(KAFKA_NEMESES)
        self.random.shuffle(plan)
        try:
            wait = self.random.uniform(3.0, 10.0)
            # Each kind once, then more while time is left (a nemesis and its recovery: about 30 s).
            while not self.stop.wait(wait) and (plan or time.monotonic() - self.began + 30 < self.seconds):
                self.inject(plan.pop(0) if plan else self.random.choice(KAFKA_NEMESES))
                wait = self.random.uniform(2.0, 6.0)
        except BaseException as error:  # noqa: BLE001 — reported by the test
            self.error = error

    def inject(self, kind: str) -> None:
        cluster, topics = self.cluster, self.platform.kafka_topics()
        down = PAUSE_S if kind == "kafka_pause" else self.random.uniform(1.0, 5.0)
        with self.platform.broker_lock:
            if kind == "kafka_leader_sigkill":
                leaders = cluster.partition_leaders()
                node = max(sorted(leaders), key=leaders.get)
                detail = f"node {node}, leader of {leaders[node]} of {sum(leaders.values())} partitions, SIGKILL"
                cluster.kill_node(node)
            elif kind == "kafka_pause":
                node = self.random.choice([n.node_id for n in cluster.nodes])
                detail = f"node {node} SIGSTOP for {PAUSE_S:.0f} s"
                cluster.pause_node(node)
            else:
                node = cluster.active_controller()
                detail = f"node {node}, the active controller, SIGKILL"
                cluster.kill_node(node)
            fault, wall = time.monotonic(), time.strftime("%H:%M:%S")
            probe = self._probe_round(kind, fault)
            time.sleep(down)
            cluster.resume_node(node) if kind == "kafka_pause" else cluster.start_node(node)
            record = {"kind": kind, "node": node, "at_s": round(fault - self.began, 1),
                      "down_s": round(time.monotonic() - fault, 1),
                      "cluster_whole_s": round(self._until_whole(kind, fault, topics), 1)}
        self._finish(record, probe, fault, wall, f"{detail}; restarted after {record['down_s']} s")

    def restart_cluster(self, crash: bool) -> None:
        """Every node stopped (SIGTERM) or killed (SIGKILL), then the cluster started again:
        the end offsets of every platform topic must not shrink."""
        kind = "kafka_cluster_sigkill" if crash else "kafka_cluster_stop"
        topics = platform_topics()
        before = self.platform.end_offsets(topics)
        with self.platform.broker_lock:
            fault, wall = time.monotonic(), time.strftime("%H:%M:%S")
            self.cluster.kill() if crash else self.cluster.stop()
            stopped = time.monotonic()
            probe = self._probe_round(kind, fault)  # written while every node is down
            self.cluster.start()
            record = {"kind": kind, "stop_s": round(stopped - fault, 1), "down_s": round(time.monotonic() - fault, 1),
                      "cluster_whole_s": round(self._until_whole(kind, fault, self.platform.kafka_topics()), 1)}
        after = self.platform.end_offsets(topics)
        record.update(records_before=sum(before.values()), records_after=sum(after.values()),
                      offsets_kept=all(after.get(key, -1) >= end for key, end in before.items()))
        self._finish(record, probe, fault, wall, f"every node {'SIGKILLed' if crash else 'stopped (SIGTERM)'}; "
                                           f"{record['records_before']} records before, {record['records_after']} after")

    def _probe_round(self, kind: str, fault: float) -> dict:
        """A probe round written at the fault, in a thread of its own (the web may be down)."""
        result: dict = {}

        def round_trip() -> None:
            try:
                result["s"] = self.probe.round_trip(kind, fault)
            except BaseException as error:  # noqa: BLE001 — raised by _finish
                result["error"] = error
        result["thread"] = threading.Thread(target=round_trip, name=f"probe-{kind}", daemon=True)
        result["thread"].start()
        return result

    def _until_whole(self, kind: str, fault: float, topics: list[str]) -> float:
        while not self.cluster.whole(topics):
            for node in self.cluster.nodes:
                assert node.running(), f"{kind}: Kafka node {node.node_id} exited; see {node.log_file}"
            assert time.monotonic() - fault < WHOLE_WITHIN_S, (
                f"{kind}: the cluster was not whole {WHOLE_WITHIN_S:.0f} s after the fault: serving "
                f"{[n.node_id for n in self.cluster.nodes if self.cluster.serves(n.node_id)]}, unfenced "
                f"{sorted(self.cluster.live_brokers())}; see {self.cluster.data_dir}/node-*/server.log")
            time.sleep(0.25)
        return time.monotonic() - fault

    def _finish(self, record: dict, probe: dict, fault: float, wall: str, detail: str) -> None:
        probe["thread"].join(VISIBLE_WITHIN_S + 150)
        if "error" in probe:
            raise probe["error"]
        assert "s" in probe, f"{record['kind']}: the probe write after the fault never got an answer"
        record["platform_recovered_s"] = round(probe["s"], 1)
        record["fresh_write_s"] = round(self.probe.round_trip(record["kind"], time.monotonic()), 1)
        record["other_faults"] = self.injector.overlapping(fault, time.monotonic())
        self.records.append(record)
        self.counts[record["kind"]] += 1
        self.log.append(f"{wall} {record['kind']}: {detail}; whole after "
                        f"{record['cluster_whole_s']} s, platform after {record['platform_recovered_s']} s")

    def summary(self) -> dict:
        """Per kind: how many, and the times to recover, in the order they happened."""
        by_kind: dict[str, dict] = {}
        for record in self.records:
            entry = by_kind.setdefault(record["kind"], {"count": 0, "cluster_whole_s": [], "platform_recovered_s": [],
                                                        "fresh_write_s": []})
            entry["count"] += 1
            for key in ("cluster_whole_s", "platform_recovered_s", "fresh_write_s"):
                entry[key].append(record[key])
        return by_kind
