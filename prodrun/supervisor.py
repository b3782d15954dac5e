"""Child processes of the production-like run: each in its own session (so Ctrl-C reaches
only the run, which stops them in order), logged to a file, stopped with SIGTERM and, past
a deadline, SIGKILL. Their pids are written to a file, so whoever started the run can
check afterwards that none was left behind."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from pathlib import Path

log = logging.getLogger("prodrun")


class Supervisor:
    def __init__(self, logs_dir: Path, pid_file: Path):
        self.logs_dir = logs_dir
        self.pid_file = pid_file
        self.children: dict[str, subprocess.Popen] = {}
        logs_dir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
        with open(self.logs_dir / f"{name}.log", "ab") as log_file:
            child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.children[name] = child
        with open(self.pid_file, "a") as pids:
            pids.write(f"{child.pid} {name}\n")
        return child

    def dead(self) -> list[str]:
        return [name for name, child in self.children.items() if child.poll() is not None]

    def log_tail(self, name: str, characters: int = 2000) -> str:
        path = self.logs_dir / f"{name}.log"
        return path.read_text(errors="replace")[-characters:] if path.exists() else ""

    def stop(self, names: list[str], timeout_s: float = 30.0) -> None:
        """SIGTERM to the named children (their whole process group: gunicorn's workers too),
        then wait; whatever is still there at the deadline is killed."""
        running = [(name, self.children[name]) for name in names
                   if name in self.children and self.children[name].poll() is None]
        for _, child in running:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for name, child in running:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s: killing it", name, timeout_s)
                _signal_group(child, signal.SIGKILL)
                child.wait()
        for name, child in running:  # a child's own children (gunicorn's workers) too
            _signal_group(child, signal.SIGKILL)

    def stop_all(self, timeout_s: float = 30.0) -> None:
        self.stop(list(reversed(self.children)), timeout_s)


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass
