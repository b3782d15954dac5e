"""Apache Kafka itself on this machine, without Docker: a KRaft cluster on loopback.

The reference broker. Its jars are the ones deploy/kafka/pom.xml pins (the version of
docker-compose.yml and the Strimzi cluster), fetched from Maven Central by Maven once into
deploy/kafka/lib. Each node is broker and controller at once, as in the Strimzi node pool:

- 1 node, for quick use (`ASP_BROKER=kafka make run`);
- 3 nodes, replication factor 3, `min.insync.replicas=2`, no unclean leader election: the
  Kafka pass of the tests (`make test-kafka`), the fault run included.

Node folders (storage, server.properties, server.log, pid) live under one data folder; the
cluster id and ports are kept in its cluster.json, so a cluster stopped is started again
with its data. Nothing is fsynced per write (Kafka's default, as in production):
acknowledged records survive a node's death through their replicas.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from shared.messaging.embedded_broker import free_port

log = logging.getLogger(__name__)

KAFKA_DIR = Path(__file__).resolve().parents[2] / "deploy" / "kafka"
POM = KAFKA_DIR / "pom.xml"
LIB = KAFKA_DIR / "lib"
HOST = "127.0.0.1"
# Per node: 3 of them share 2 cores with the platform, and the tests' load is small.
JVM_OPTIONS = ["-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
               "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"]

LOG4J2 = """\
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = {folder}/server.log
appender.file.filePattern = {folder}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.state.name = state.change.logger
logger.state.level = warn
"""


class KafkaUnavailable(RuntimeError):
    """Apache Kafka cannot be installed or started here (no Java, no Maven, a node that exits)."""


def install_jars() -> Path:
    """The jars of deploy/kafka/pom.xml in deploy/kafka/lib, fetched once per version of the pom."""
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()
    stamp = LIB / ".pom-sha256"
    if stamp.is_file() and stamp.read_text() == digest:
        return LIB
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise KafkaUnavailable(f"Apache Kafka needs Java 17 and Maven ({tool} not found)")
    shutil.rmtree(LIB, ignore_errors=True)
    log.info("fetching Apache Kafka's jars with Maven (deploy/kafka/pom.xml)")
    fetched = subprocess.run(["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies"],
                             capture_output=True, text=True)
    if fetched.returncode != 0:
        raise KafkaUnavailable(f"Maven could not fetch Apache Kafka's jars:\n{fetched.stdout[-3000:]}"
                               f"{fetched.stderr[-2000:]}")
    stamp.write_text(digest)
    return LIB


def _java(main_class: str, *arguments: str, options: tuple[str, ...] = ()) -> list[str]:
    return ["java", *JVM_OPTIONS, *options, "-cp", f"{LIB}/*", main_class, *arguments]


def _listens(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
        return True
    except OSError:
        return False


@dataclass
class Node:
    node_id: int
    port: int
    controller_port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.folder / "pid"

    @property
    def properties_file(self) -> Path:
        return self.folder / "server.properties"

    @property
    def storage(self) -> Path:
        return self.folder / "storage"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class KafkaCluster:
    """`with KafkaCluster(folder, nodes=3) as cluster:` … `cluster.bootstrap_servers`."""

    def __init__(self, data_dir: Path, nodes: int = 1, ports: list[int] | None = None):
        if nodes not in (1, 3):
            raise ValueError("a cluster of 1 node (quick use) or 3 nodes (production-like)")
        self.data_dir = Path(data_dir)
        self.size = nodes
        self.cluster_id, self.nodes = self._layout(ports)

    # -- layout: kept in cluster.json, so a stopped cluster starts again as it was ---------
    @property
    def layout_file(self) -> Path:
        return self.data_dir / "cluster.json"

    @property
    def address_file(self) -> Path:
        return self.data_dir / "address"

    def _layout(self, ports: list[int] | None) -> tuple[str, list[Node]]:
        if self.layout_file.is_file():
            kept = json.loads(self.layout_file.read_text())
            if len(kept["nodes"]) != self.size:
                raise KafkaUnavailable(f"{self.data_dir} holds a cluster of {len(kept['nodes'])} node(s), "
                                       f"not {self.size}: use another folder")
            return kept["cluster_id"], [Node(n["id"], n["port"], n["controller_port"], self.data_dir / f"node-{n['id']}")
                                        for n in kept["nodes"]]
        ports = ports or [free_port() for _ in range(self.size)]
        cluster_id = urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        nodes = [Node(i + 1, ports[i], free_port(), self.data_dir / f"node-{i + 1}") for i in range(self.size)]
        return cluster_id, nodes

    def _save_layout(self) -> None:
        self.layout_file.write_text(json.dumps({"cluster_id": self.cluster_id, "nodes": [
            {"id": n.node_id, "port": n.port, "controller_port": n.controller_port} for n in self.nodes]}))

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(node.address for node in self.nodes)

    def node(self, node_id: int) -> Node:
        return self.nodes[node_id - 1]

    # -- configuration ---------------------------------------------------------------------
    def _properties(self, node: Node) -> str:
        replicas = min(3, self.size)
        in_sync = 2 if self.size >= 3 else 1
        voters = ",".join(f"{n.node_id}@{HOST}:{n.controller_port}" for n in self.nodes)
        settings = {
            "process.roles": "broker,controller",
            "node.id": node.node_id,
            "controller.quorum.voters": voters,
            "listeners": f"PLAINTEXT://{HOST}:{node.port},CONTROLLER://{HOST}:{node.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{node.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": node.storage,
            # As the Strimzi cluster (deploy/k8s/kafka/kafka.yaml) and the compose file.
            "default.replication.factor": replicas,
            "min.insync.replicas": in_sync,
            "offsets.topic.replication.factor": replicas,
            "transaction.state.log.replication.factor": replicas,
            "transaction.state.log.min.isr": in_sync,
            "unclean.leader.election.enable": "false",
            "auto.create.topics.enable": "true",
            "num.partitions": 1,
            "group.initial.rebalance.delay.ms": 0,
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _prepare(self, node: Node) -> None:
        node.folder.mkdir(parents=True, exist_ok=True)
        node.properties_file.write_text(self._properties(node))
        (node.folder / "log4j2.properties").write_text(LOG4J2.format(folder=node.folder))
        if (node.storage / "meta.properties").is_file():
            return
        formatted = subprocess.run(_java("kafka.tools.StorageTool", "format", "--ignore-formatted",
                                         "-t", self.cluster_id, "-c", str(node.properties_file)),
                                   capture_output=True, text=True)
        if formatted.returncode != 0:
            raise KafkaUnavailable(f"formatting node {node.node_id}'s storage failed:\n{formatted.stderr[-2000:]}")

    # -- life --------------------------------------------------------------------------------
    def start(self, timeout_s: float = 120.0) -> "KafkaCluster":
        install_jars()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.stop_leftover()
        self._save_layout()
        for node in self.nodes:
            self._prepare(node)
        for node in self.nodes:
            self.start_node(node.node_id)
        self.wait_until_ready(timeout_s)
        self.address_file.write_text(self.bootstrap_servers)  # for commands run beside `make run`
        log.info("Apache Kafka (%d node%s) listening on %s", self.size, "s" if self.size > 1 else "",
                 self.bootstrap_servers)
        return self

    def start_node(self, node_id: int) -> None:
        node = self.node(node_id)
        if node.running():
            return
        with open(node.folder / "stdout.log", "ab") as output:
            node.process = subprocess.Popen(
                _java("kafka.Kafka", str(node.properties_file),
                      options=(f"-Dlog4j2.configurationFile={node.folder / 'log4j2.properties'}",
                               f"-Dkafka.logs.dir={node.folder}")),
                stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)  # Ctrl-C in a terminal reaches our parent, which stops us
        node.pid_file.write_text(str(node.process.pid))

    def wait_until_ready(self, timeout_s: float = 120.0) -> None:
        """Every running node registered and unfenced, as the cluster itself reports."""
        expected = {node.node_id for node in self.nodes if node.running()}
        deadline = time.monotonic() + timeout_s
        seen: set[int] = set()
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.process is not None and node.process.poll() is not None and node.node_id in expected:
                    raise KafkaUnavailable(f"Kafka node {node.node_id} exited at start (code "
                                           f"{node.process.returncode}); see {node.log_file}")
            listening = {node.node_id for node in self.nodes if node.node_id in expected and _listens(node.port)}
            # The admin client backs off for longer and longer while nobody listens: ask it only then.
            seen = self.live_brokers() if listening == expected else set()
            if expected <= seen:
                return
            time.sleep(0.5)
        raise KafkaUnavailable(f"Kafka nodes {sorted(expected - seen)} were not ready within "
                               f"{timeout_s:.0f} s; see {self.data_dir}/node-*/server.log")

    def admin(self) -> KafkaAdminClient:
        return KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, client_id="asp-cluster-admin",
                                request_timeout_ms=5000)

    def live_brokers(self) -> set[int]:
        try:
            admin = self.admin()
        except KafkaError:
            return set()
        try:
            return {broker["broker_id"] for broker in admin.describe_cluster()["brokers"]
                    if not broker.get("is_fenced")}
        except KafkaError:
            return set()
        finally:
            admin.close()

    def kill_node(self, node_id: int) -> None:
        self._signal_and_wait([self.node(node_id)], signal.SIGKILL, 30.0)

    def stop(self, timeout_s: float = 60.0) -> None:
        """Every node at once: a lone survivor could not finish its controlled shutdown."""
        self.address_file.unlink(missing_ok=True)
        self._signal_and_wait(self.nodes, signal.SIGTERM, timeout_s)

    def kill(self) -> None:
        """Every node SIGKILLed at once, as a power cut of the processes (not of the machine)."""
        self._signal_and_wait(self.nodes, signal.SIGKILL, 30.0)

    def _signal_and_wait(self, nodes: list[Node], sign: int, timeout_s: float) -> None:
        running = [node for node in nodes if node.running()]
        for node in running:
            node.process.send_signal(signal.SIGCONT)  # a paused node cannot stop
            node.process.send_signal(sign)
        deadline = time.monotonic() + timeout_s
        for node in running:
            try:
                node.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("Kafka node %d did not stop within %.0f s: killed", node.node_id, timeout_s)
                node.process.kill()
                node.process.wait()

    def stop_leftover(self) -> None:
        """A run killed outright leaves its nodes behind, holding these folders and ports."""
        for node in self.nodes:
            try:
                pid = int(node.pid_file.read_text())
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except (OSError, ValueError):
                continue
            if b"kafka.Kafka" in command and str(node.properties_file).encode() in command:
                log.warning("stopping Kafka node %d left running by an earlier run (pid %d)", node.node_id, pid)
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 30
                while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
                if Path(f"/proc/{pid}").exists():
                    os.kill(pid, signal.SIGKILL)

    # -- what the fault run needs to know --------------------------------------------------
    def partition_leaders(self) -> dict[int, int]:
        """How many partitions each node leads."""
        admin = self.admin()
        try:
            counts = {node.node_id: 0 for node in self.nodes}
            for topic in admin.describe_topics():
                for partition in topic["partitions"]:
                    if partition["leader_id"] in counts:
                        counts[partition["leader_id"]] += 1
            return counts
        finally:
            admin.close()

    def pause_node(self, node_id: int) -> None:
        """SIGSTOP: the node keeps its connections open and answers nothing (a long GC pause)."""
        self.node(node_id).process.send_signal(signal.SIGSTOP)

    def resume_node(self, node_id: int) -> None:
        self.node(node_id).process.send_signal(signal.SIGCONT)

    def active_controller(self) -> int:
        """The KRaft quorum's leader (describe_cluster's controller_id is any broker, in KRaft)."""
        admin = self.admin()
        try:
            return admin.describe_metadata_quorum()["topics"][0]["partitions"][0]["leader_id"]
        finally:
            admin.close()

    def fully_replicated(self, topics: list[str]) -> bool:
        """Every partition of `topics` has a leader and every node of the cluster in its ISR."""
        try:
            admin = self.admin()
        except KafkaError:
            return False
        try:
            described = admin.describe_topics(topics)
        except KafkaError:
            return False
        finally:
            admin.close()
        return len(described) == len(topics) and all(
            topic["error_code"] == 0 and topic["partitions"] and all(
                partition["error_code"] == 0 and partition["leader_id"] >= 0
                and len(partition["isr_nodes"]) == self.size for partition in topic["partitions"])
            for topic in described)

    def serves(self, node_id: int) -> bool:
        """The node's process runs and answers requests itself (the cluster's metadata still
        counts a node killed a few seconds ago as alive and in sync)."""
        node = self.node(node_id)
        if not node.running() or not _listens(node.port):
            return False
        try:
            KafkaAdminClient(bootstrap_servers=node.address, client_id="asp-cluster-admin",
                             request_timeout_ms=3000, bootstrap_timeout_ms=3000).close()
            return True
        except KafkaError:
            return False

    def whole(self, topics: list[str]) -> bool:
        """Every node serving and unfenced, every partition of `topics` led with a full ISR."""
        return (all(self.serves(node.node_id) for node in self.nodes)
                and self.live_brokers() == {node.node_id for node in self.nodes} and self.fully_replicated(topics))

    def __enter__(self) -> "KafkaCluster":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
