"""What bench/soak.py and bench/scale.py share: the whole platform started as `make run`
starts it (`python -m runner` on a temporary data folder and free ports), its processes and
their memory (from /proc), an HTTP client that times every request under its templated route,
and the platform's API called the way its users call it (bench/_people.py).
"""
from __future__ import annotations

import csv
import http.client
import json
import os
import platform as host
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMUNES_CSV = REPO / "bench" / "data" / "swiss-communes.csv"  # every Swiss commune (bench/data/README.md)
SERVICES = ("programme", "surveys", "events", "partners", "reporting")
SOURCES = ("programme", "surveys", "events", "partners")  # the services whose events reporting projects


def progress(tag: str, text: str) -> None:
    print(f"[{tag}] {text}", file=sys.stderr, flush=True)


def machine() -> str:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"nproc={os.cpu_count()}, {model or host.machine()}, python {host.python_version()}, "
            f"load {os.getloadavg()[0]:.1f}")


# -- communes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Commune:
    slug: str
    name: str
    canton: str
    population: int


def communes(canton: str | None = None, limit: int | None = None, prefix: str = "b") -> list[Commune]:
    """Rows of bench/data/swiss-communes.csv (one canton's, or every row), with slugs unique to this run."""
    with COMMUNES_CSV.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if canton is None or r["canton"] == canton]
    rows = rows[:limit] if limit else rows
    return [Commune(_slug(prefix, index, row["name"]), row["name"], row["canton"], int(row["population"]))
            for index, row in enumerate(rows)]


def _slug(prefix: str, index: int, name: str) -> str:
    plain = re.sub(r"[^a-z0-9]+", "-", name.lower().encode("ascii", "ignore").decode()).strip("-")
    return f"{prefix}{index}-{plain}"[:60].rstrip("-")


# -- timings ----------------------------------------------------------------------------------
def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"count": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(ordered[-1], 1), "mean_ms": round(statistics.fmean(ordered), 1)}


class Recorder:
    """Every request's time under its route template; every unexpected answer, listed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[tuple[str, int], dict] = {}
        self.reconnects = 0

    def record(self, route: str, ms: float, status: int, expected: tuple[int, ...], body: bytes) -> None:
        with self.lock:
            self.timings[route].append(ms)
            if status not in expected:
                self._error(route, status, body)

    def failure(self, operation: str, error: BaseException) -> None:
        """An operation that broke off with an exception (a bug of the bench, or an answer it could
        not read): an error like the others, listed under the operation's name with status -1."""
        with self.lock:
            self._error(f"operation {operation}", -1, f"{type(error).__name__}: {error}".encode())

    def _error(self, route: str, status: int, body: bytes) -> None:
        entry = self.errors.setdefault((route, status), {"route": route, "status": status, "count": 0,
                                                         "example": body[:300].decode("utf-8", "replace")})
        entry["count"] += 1

    def error_count(self) -> int:
        with self.lock:
            return sum(e["count"] for e in self.errors.values())

    def requests(self) -> int:
        with self.lock:
            return sum(len(t) for t in self.timings.values())

    def routes(self) -> dict:
        with self.lock:
            return {route: percentiles(samples) for route, samples in sorted(self.timings.items())}

    def error_list(self) -> list[dict]:
        with self.lock:
            return sorted(self.errors.values(), key=lambda e: -e["count"])


# -- HTTP -------------------------------------------------------------------------------------
class Unexpected(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """One keep-alive connection (one per thread), with the cookies a browser would keep.
    `path` is a template such as "/surveys/api/v1/public/{token}/responses": the request is timed
    under "POST /surveys/api/v1/public/<token>/responses", whatever the token."""

    def __init__(self, base: str, recorder: Recorder, timeout: float = 60.0):
        parts = urllib.parse.urlsplit(base)
        self.https = parts.scheme == "https"
        self.netloc, self.prefix = parts.netloc, parts.path.rstrip("/")
        self.recorder, self.timeout = recorder, timeout
        self.connection = None
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, bearer: str | None = None, json_body=None, form: dict | None = None,
             expect: tuple[int, ...] = (200,), require: bool = False, **params) -> Answer:
        route = f"{method} " + re.sub(r"\{(\w+)\}", r"<\1>", path)
        url = self.prefix + path.format(**{k: urllib.parse.quote(str(v), safe="") for k, v in params.items()})
        headers = {"Accept-Language": "fr"}
        body = None
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            body, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            answer = self._send(method, url, body, headers)
        except (OSError, http.client.HTTPException) as error:
            answer = Answer(0, {}, f"{type(error).__name__}: {error}".encode())
        self.recorder.record(route, (time.perf_counter() - started) * 1000, answer.status, expect, answer.body)
        if require and answer.status not in expect:
            raise Unexpected(f"{route}: {answer.status} {answer.body[:300]!r}")
        return answer

    def _send(self, method, url, body, headers) -> Answer:
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
                self.connection = kind(self.netloc, timeout=self.timeout)
            try:
                self.connection.request(method, url, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if reused and attempt == 1:  # the server closed an idle keep-alive connection
                    with self.recorder.lock:
                        self.recorder.reconnects += 1
                    continue
                raise
            except BaseException:
                self.close()
                raise
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return Answer(response.status, dict(response.getheaders()), data)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# -- the platform as a process tree --------------------------------------------------------------
def free_port() -> int:
    from shared.messaging.embedded_broker import free_port as broker_free_port
    return broker_free_port()


class Platform:
    """`python -m runner` on a data folder of its own: SQLite, the embedded broker, every relay and
    consumer as a supervised child, all services behind one port. Or, with `target`, a platform
    already running somewhere (then neither its processes nor its databases are looked at)."""

    def __init__(self, folder: Path | None = None, target: str | None = None, env: dict | None = None):
        self.folder, self.target, self.process = folder, target, None
        self.extra_env = env or {}
        self.base = target.rstrip("/") if target else None

    @property
    def local(self) -> bool:
        return self.target is None

    def start(self, tag: str, timeout_s: float = 180) -> "Platform":
        if not self.local:
            return self
        port = free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.endswith("_DATABASE_URL") and k != "KAFKA_BOOTSTRAP_SERVERS"}
        env.update(ASP_DATA_DIR=str(self.folder / "data"), ASP_PORT=str(port), ASP_BROKER_PORT=str(free_port()),
                   ASP_LOG_LEVEL="WARNING", ASP_PUBLIC_RATE_LIMIT="1000000/second", **self.extra_env)
        self.base = f"http://127.0.0.1:{port}"
        progress(tag, f"starting the platform (python -m runner) on {self.base}, data in {self.folder / 'data'}")
        with open(self.folder / "runner.log", "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "runner"], cwd=REPO, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True, preexec_fn=_stop_with_parent)
        deadline = time.monotonic() + timeout_s
        probe = Client(self.base, Recorder(), timeout=5)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the platform stopped while starting:\n" + self.log_tail())
            if all(probe.call("GET", f"/{s}/readyz").status == 200 for s in SERVICES):
                probe.close()
                return self
            time.sleep(0.5)
        raise RuntimeError("the platform did not become ready:\n" + self.log_tail())

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return (self.folder / "runner.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the runner (it stops its workers and the broker), then make sure: nothing of
        the tree started here is left running."""
        if self.process is None:
            return
        tree = self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        for entry in tree:  # still there (e.g. the broker, in a session of its own)? the same command only
            try:
                if Path(f"/proc/{entry['pid']}/cmdline").read_bytes() == entry["cmdline"]:
                    os.kill(entry["pid"], signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass
        self.process = None

    # -- what runs, and its memory ----------------------------------------------------------------
    def processes(self) -> list[dict]:
        """The runner and every descendant (workers, the broker), with their resident memory."""
        if self.process is None:
            return []
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            children = [pid for pid, parent in parents.items() if parent in frontier]
            tree += children
            frontier = children
        found = []
        for pid in tree:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                rss_kb = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                              if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                continue
            found.append({"pid": pid, "name": _process_name(command.split(b"\0")), "cmdline": command,
                          "rss_mb": round(rss_kb / 1024, 1)})
        return found

    def memory(self) -> dict[str, float] | None:
        """{process name: RSS in MB}; None for a platform not started here."""
        if not self.local:
            return None
        return {p["name"]: p["rss_mb"] for p in self.processes()}

    # -- its databases (a platform started here only) ---------------------------------------------
    def _count(self, service: str, sql: str) -> int:
        path = self.folder / "data" / f"{service}.db"
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as connection:
            return connection.execute(sql).fetchone()[0]

    def outbox_backlog(self) -> int:
        return sum(self._count(s, "SELECT count(*) FROM outbox WHERE published_at IS NULL") for s in SOURCES)

    def projected(self) -> int:
        """Events reporting has applied (one inbox row each, in the transaction of the effect)."""
        return self._count("reporting", "SELECT count(*) FROM inbox")


def _stop_with_parent() -> None:
    """The runner gets SIGTERM (and stops cleanly) if the bench dies, even killed outright."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def stop_on_sigterm() -> None:
    """SIGTERM ends a bench like Ctrl-C: its `finally` stops the platform and removes its folder."""
    def interrupt(*_args):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


def _process_name(command: list[bytes]) -> str:
    words = [w.decode(errors="replace") for w in command if w]
    if "-m" in words:
        module = words[words.index("-m") + 1]
        return "runner (web: every service)" if module == "runner" else module.replace(".entrypoints.", " ")
    return Path(words[0]).name if words else "?"
