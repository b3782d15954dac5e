"""`make run` on a temporary data folder, with its broker held by the test so that the
broker can be stopped and started on its own (the same broker, same folder, same port): the
embedded one, or Apache Kafka with ASP_BROKER=kafka (`make test-kafka`).

The runner is given KAFKA_BOOTSTRAP_SERVERS, so it starts no broker of its own; all else
is the embedded run as users start it: migrations, demo, the five web apps in the
runner's process, one supervised child process per relay and per consumer.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from shared.messaging.embedded_broker import free_port
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
