"""`make run`: the whole platform on one machine, with nothing to set up.

Starts the embedded Kafka-compatible broker, or Apache Kafka with ASP_BROKER=kafka (unless
KAFKA_BOOTSTRAP_SERVERS points at one), applies every service's migrations, seeds the demo once, starts each service's
outbox relay and consumers as child processes (restarted if they die), and serves every
service under one port. Ctrl-C stops it all; the data stays in ASP_DATA_DIR.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

os.environ.setdefault("ASP_EMBEDDED", "1")

from waitress import create_server  # noqa: E402

from shared.config import load_settings  # noqa: E402
from shared.http.keys import ensure_keys  # noqa: E402
from shared.messaging.local_broker import broker_folder, broker_kind, local_broker  # noqa: E402
from shared.observability.logging import configure_logging  # noqa: E402
from shared.service import ServiceRuntime  # noqa: E402
from programme.demo import LOGINS  # noqa: E402
from runner.dispatch import PathDispatcher  # noqa: E402
from runner.services import DEFINITIONS  # noqa: E402
from prodrun import topology  # noqa: E402

log = logging.getLogger("runner")


class Workers:
    """The relays and consumers as child processes, restarted if one dies."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.commands = []
        for definition in DEFINITIONS:
            self.commands.append([sys.executable, "-m", f"{definition.name}.entrypoints.relay"])
            if definition.subscriptions:
                self.commands.append([sys.executable, "-m", f"{definition.name}.entrypoints.consumer"])
        self.processes: dict[int, subprocess.Popen] = {}

    def start(self) -> None:
        for index in range(len(self.commands)):
            self.processes[index] = self._spawn(index)

    def _spawn(self, index: int) -> subprocess.Popen:
        return subprocess.Popen(self.commands[index], env=self.env, preexec_fn=_die_with_parent)

    def restart_dead(self) -> None:
        for index, process in list(self.processes.items()):
            if process.poll() is not None:
                log.warning("%s exited with %s; restarting it", self.commands[index][-1], process.returncode)
                self.processes[index] = self._spawn(index)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()


def _die_with_parent() -> None:
    """A worker stops when the runner dies, even killed outright (Linux prctl PDEATHSIG)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # elsewhere: the runner's own stop still ends them


def main() -> None:
    # Ctrl-C (SIGINT) stops the platform even if it was started with SIGINT ignored, as a
    # background job of a script is: Python would then leave it ignored, and so would every
    # worker started from here.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    settings = load_settings()
    configure_logging(settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_keys(settings.keys_dir)
    broker = None
    # Also when the broker is given (the fault run): it is then of the kind ASP_BROKER names.
    os.environ["ASP_EMBEDDED_BROKER"] = "1" if broker_kind() == "embedded" else "0"
    if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):  # not the address file an earlier run left
        port = int(os.environ.get("ASP_BROKER_PORT", "0")) or None
        broker = local_broker(broker_folder(settings.data_dir), port=port)
        if broker_kind() == "kafka":  # tens of seconds, more when Maven first fetches its jars
            print("Starting Apache Kafka…", flush=True)
        broker.start()
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
        settings = load_settings()
    workers = None
    try:
        topology.create_topics(settings.bootstrap_servers)
        runtimes = [ServiceRuntime(definition, settings) for definition in DEFINITIONS]
        for runtime in runtimes:
            runtime.migrate()
        workers = Workers(dict(os.environ))
        workers.start()
        seeded = any([runtime.definition.seed_demo(runtime) for runtime in runtimes
                      if runtime.definition.seed_demo])
        app = PathDispatcher({runtime.name: runtime.create_app() for runtime in runtimes},
                             default="/programme/")
        server = create_server(app, host=settings.host, port=settings.port, threads=8)
        _announce(settings, seeded)
        signal.signal(signal.SIGTERM, _interrupt)
        _serve(server, workers)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping…", flush=True)
        if workers:
            workers.stop()
        if broker:
            broker.stop()
        print("Stopped. Your data is kept in", settings.data_dir, flush=True)


def _interrupt(*_signal_args) -> None:
    raise KeyboardInterrupt


def _serve(server, workers: Workers) -> None:
    import threading
    watcher_stop = threading.Event()

    def watch():
        while not watcher_stop.wait(2):
            workers.restart_dead()

    threading.Thread(target=watch, daemon=True).start()
    try:
        server.run()
    finally:
        watcher_stop.set()
        server.close()


def _announce(settings, seeded: bool) -> None:
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        "ASP platform is running" + (" (demo data created)" if seeded else ""),
        f"  Pages:      {base}/programme/",
        *[f"  {d.name + ':':<11} {base}/{d.name}/docs  (API: {base}/{d.name}/openapi.json)" for d in DEFINITIONS],
        f"  Broker:     {settings.bootstrap_servers}",
        f"  Data:       {settings.data_dir}",
        "  Demo logins (password: demo):",
        *[f"    {who:<32} {email}" for who, email in LOGINS],
        "Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
