"""A service's web app under gunicorn with deploy/gunicorn.conf.py: workers from the
environment, prometheus-client's multiprocess mode done right, a clean stop on SIGTERM."""
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from shared.config import load_settings
from shared.messaging.embedded_broker import free_port
from shared.service import ServiceRuntime

from programme.bootstrap import definition as programme

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _set_in_another_process(metrics_dir: Path, statement: str) -> None:
    """Run one metrics statement in a separate process, as a gunicorn worker would."""
    code = f"from shared.observability import metrics\n{statement}\n"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60,
                   env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})


def _sample(text: str, prefix: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


class Gunicorn:
    def __init__(self, env: dict[str, str], metrics_dir: Path, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**env, "ASP_WEB_WORKERS": "2", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind",
             f"127.0.0.1:{self.port}", "programme.entrypoints.wsgi:app"],
            cwd=REPO, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        self.log = log

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            try:
                _get(f"{self.base}/programme/healthz")
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not answer")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(40)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def gunicorn(settings_env, tmp_path):
    ServiceRuntime(programme, load_settings(settings_env)).migrate()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # What an earlier run left behind: 1000 requests that must not be counted again.
    _set_in_another_process(metrics_dir, 'metrics.HTTP_REQUESTS.labels("programme", '
                            '"/programme/healthz", "GET", "200").inc(1000)')
    server = Gunicorn(settings_env, metrics_dir, tmp_path / "gunicorn.log")
    server.metrics_dir = metrics_dir
    yield server
    server.stop()


def test_gunicorn_counts_every_workers_requests_once_and_none_of_an_earlier_run(gunicorn):
    gunicorn.wait_healthy()
    assert len(gunicorn.workers()) == 2  # ASP_WEB_WORKERS
    for _ in range(29):
        _get(f"{gunicorn.base}/programme/healthz")
    text = _get(f"{gunicorn.base}/programme/metrics")
    assert _sample(text, 'asp_http_requests_total{method="GET",route="/programme/healthz"') == 30


def test_a_dead_workers_live_gauges_are_dropped_and_its_counts_kept(gunicorn):
    gunicorn.wait_healthy()
    for _ in range(20):  # each answer to /metrics sets the outbox gauges in that worker
        _get(f"{gunicorn.base}/programme/metrics")
    gauge_pids = {int(path.stem.rsplit("_", 1)[1])
                  for path in gunicorn.metrics_dir.glob("gauge_livemostrecent_*.db")}
    victim = next(pid for pid in gunicorn.workers() if pid in gauge_pids)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while (victim in gunicorn.workers() or len(gunicorn.workers()) < 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(gunicorn.metrics_dir.glob(f"gauge_livemostrecent_{victim}.db"))  # child_exit hook
    assert list(gunicorn.metrics_dir.glob(f"counter_{victim}.db"))  # its counts still add up
    text = _get(f"{gunicorn.base}/programme/metrics")
    assert _sample(text, 'asp_http_requests_total{method="GET",route="/programme/metrics"') == 20


def test_gunicorn_stops_cleanly_on_sigterm(gunicorn):
    gunicorn.wait_healthy()
    workers = gunicorn.workers()
    started = time.monotonic()
    assert gunicorn.stop() == 0
    assert time.monotonic() - started < 30
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_the_outbox_gauges_show_the_most_recent_value_of_any_worker(tmp_path):
    """A worker that last answered /metrics when the backlog was 7 must not hide that
    another worker has since seen it drained."""
    _set_in_another_process(tmp_path, 'metrics.OUTBOX_BACKLOG.labels("programme").set(7)')
    _set_in_another_process(tmp_path, 'metrics.OUTBOX_BACKLOG.labels("programme").set(0)')
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    assert 'asp_outbox_backlog{service="programme"} 0.0' in generate_latest(registry).decode()
