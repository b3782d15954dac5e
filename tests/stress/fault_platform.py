"""`make run` on a temporary data folder, with its broker held by the test so that the
broker can be stopped and started on its own (the same broker, same folder, same port): the
embedded one, or Apache Kafka with ASP_BROKER=kafka (`make test-kafka`).

The runner is given KAFKA_BOOTSTRAP_SERVERS, so it starts no broker of its own; all else
is the embedded run as users start it: migrations, demo, the five web apps in the
runner's process, one supervised child process per relay and per consumer.

On a 3-node Apache Kafka cluster the platform also says what it runs on (`kafka_settings`:
the clients' settings as make_producer/make_consumer build them, the cluster's durability
settings as the brokers report them), and every topic on it (`kafka_topics`).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType

from shared.messaging.apache_kafka import KafkaCluster
from shared.messaging.embedded_broker import free_port
from shared.messaging.kafka import make_consumer, make_producer, platform_topics
from shared.messaging.local_broker import kafka_nodes, local_broker

REPO = Path(__file__).resolve().parents[2]


class Platform:
    def __init__(self, folder: Path, extra_env: dict[str, str] | None = None):
        self.folder = folder
        self.data = folder / "data"
        self.port, self.broker_port = free_port(), free_port()
        self.broker = local_broker(self.data / "broker", port=self.broker_port, nodes=kafka_nodes(default=3),
                                   log_path=folder / "broker.log")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.endswith("_DATABASE_URL") and k not in ("KAFKA_BOOTSTRAP_SERVERS", "ASP_WORKER_METRICS_PORT")}
        self.env.update(ASP_DATA_DIR=str(self.data), ASP_PORT=str(self.port),
                        KAFKA_BOOTSTRAP_SERVERS=self.broker.bootstrap_servers,
                        # residents answer from one address here: the brake on floods is not under test
                        ASP_PUBLIC_RATE_LIMIT="1000000/minute", **(extra_env or {}))
        self.runner: subprocess.Popen | None = None
        self.starts = 0
        self.broker_lock = threading.Lock()  # one broker fault at a time

    @property
    def kafka(self) -> KafkaCluster | None:
        """The broker when it is Apache Kafka of 3 nodes: the one the Kafka nemeses are for."""
        return self.broker if isinstance(self.broker, KafkaCluster) and self.broker.size == 3 else None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap_servers

    # -- the runner ------------------------------------------------------------------------
    def start_runner(self, timeout_s: float = 120) -> float:
        """Start `python -m runner`; returns the seconds until /readyz answered."""
        import urllib.request
        self.starts += 1
        began = time.monotonic()
        log = open(self.folder / f"runner-{self.starts}.log", "w")
        self.runner = subprocess.Popen([sys.executable, "-m", "runner"], cwd=REPO, env=self.env,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        while time.monotonic() - began < timeout_s:
            assert self.runner.poll() is None, self.runner_log()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.base}/programme/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the platform did not answer within {timeout_s} s:\n{self.runner_log()[-3000:]}")

    def runner_log(self, start: int | None = None) -> str:
        return (self.folder / f"runner-{start or self.starts}.log").read_text(errors="replace")

    def kill_runner(self) -> None:
        """SIGKILL the web process (the runner serves the five apps); its workers get SIGTERM
        from the kernel (PDEATHSIG), as they would if a supervisor's child died."""
        self.runner.send_signal(signal.SIGKILL)
        self.runner.wait(30)
        self._wait_workers_gone()

    def stop_runner(self) -> int:
        self.runner.send_signal(signal.SIGINT)
        code = self.runner.wait(90)
        self._wait_workers_gone()
        return code

    def _wait_workers_gone(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while self.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.1)

    def worker_pids(self, kind: str = "") -> dict[int, str]:
        """pid -> module of the relays and consumers of this platform ("relay", "consumer")."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            module = next((part.decode() for part in command if b".entrypoints." in part), None)
            if module and module.endswith(f".{kind}" if kind else "") and \
                    f"ASP_DATA_DIR={self.data}".encode() in environ.split(b"\0"):
                found[int(entry.name)] = module
        return found

    # -- the broker ------------------------------------------------------------------------
    def start_broker(self) -> None:
        self.broker.start()

    def stop_broker(self, crash: bool) -> None:
        if crash:
            self.broker.kill()
        else:
            self.broker.stop()

    def end_offsets(self, topics: list[str]) -> dict[tuple[str, int], int]:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, request_timeout_ms=20000)
        try:
            partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
            return {(tp.topic, tp.partition): end for tp, end in consumer.end_offsets(partitions).items()}
        finally:
            consumer.close()

    def kafka_topics(self) -> list[str]:
        """Every topic on the cluster: the platform's event and dead-letter topics, and
        __consumer_offsets (the groups' coordinators and committed offsets)."""
        admin = self.broker.admin()
        try:
            return sorted(admin.list_topics())
        finally:
            admin.close()

    def kafka_settings(self) -> dict:
        """The settings actually in force: the clients' as make_producer and make_consumer
        build them for the relays and consumers (which override only client_id and
        group_instance_id), the cluster's as its brokers and topics report them."""
        producer = make_producer(self.bootstrap)
        consumer = make_consumer(self.bootstrap, "asp-fault-settings", [], assign_all=True)
        try:
            produced = {key: producer.config[key] for key in (
                "acks", "enable_idempotence", "max_in_flight_requests_per_connection", "retries",
                "request_timeout_ms", "delivery_timeout_ms", "reconnect_backoff_max_ms")}
            produced["acks"] = "all" if produced["acks"] == -1 else produced["acks"]
            consumed = {key: consumer.config[key] for key in (
                "isolation_level", "enable_auto_commit", "auto_offset_reset", "session_timeout_ms",
                "max_poll_interval_ms", "reconnect_backoff_max_ms")}
        finally:
            producer.close()
            consumer.close()
        topics = platform_topics()
        admin = self.broker.admin()
        try:
            names = ("default.replication.factor", "min.insync.replicas", "unclean.leader.election.enable",
                     "log.flush.interval.messages", "log.flush.interval.ms")
            brokers = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, str(node.node_id),
                                                             dict.fromkeys(names)) for node in self.broker.nodes],
                                             config_filter="all")["broker"]
            topic_names = ("min.insync.replicas", "unclean.leader.election.enable", "flush.messages", "flush.ms")
            on_topics = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, dict.fromkeys(topic_names))
                                                for topic in topics], config_filter="all")["topic"]
            replicas = {topic["name"]: sorted({len(p["replica_nodes"]) for p in topic["partitions"]})
                        for topic in admin.describe_topics(topics)}
        finally:
            admin.close()
        flushes = {(entry["flush.messages"], entry["flush.ms"]) for entry in
                   ({key: e["value"] for key, e in configs.items()} for configs in on_topics.values())}
        return {
            "producer": produced, "consumer": consumed,
            "fsync_each_record": any(messages == "1" for messages, _ in flushes),
            "brokers": {node: {key: entry["value"] for key, entry in configs.items()} for node, configs in brokers.items()},
            "topics": {topic: {**{key: entry["value"] for key, entry in on_topics[topic].items()},
                               "replication_factor": replicas[topic]} for topic in topics},
            "durability": "acks=all with min.insync.replicas=2 and replication factor 3: a record is "
                          "acknowledged once every in-sync replica (at least 2 of the 3 nodes) has appended it; "
                          "no unclean leader election, so only an in-sync replica becomes leader. Kafka does not "
                          "fsync each record (flush.messages and flush.ms are Long.MAX: the OS writes the page "
                          "cache back when it will): durability comes from replication to the ISR before the "
                          "acknowledgement, so a process killed (even all three) loses nothing, while a power "
                          "cut of every node at once could lose the last unflushed records.",
        }

    def cleanup(self) -> None:
        """Nothing of a failed test keeps running."""
        if self.runner and self.runner.poll() is None:
            self.runner.kill()
            self.runner.wait(30)
        for pid in self.worker_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.broker.stop()
        self.broker.stop_leftover()


def process_state(pid: int) -> str:
    """The kernel's one-letter state: R running, S sleeping, ..."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"
