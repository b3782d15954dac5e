"""The production-like run (`make prod-run`): every service under gunicorn and every worker
as its own process, against PostgreSQL (a database and role per service) and a 3-node
Apache Kafka cluster, behind nginx on one port, scraped by Prometheus. A commune is driven through it,
then Prometheus must see every target up and the request and event counters moved; the
run stops cleanly on SIGTERM and leaves no process behind."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from shared.contracts import topic_of
from shared.messaging.embedded_broker import free_port

from prodrun import postgres, topology
from runner.services import DEFINITIONS
from tests.deploy.conftest import require_tool

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "production-like-run-password"
pytestmark = [pytest.mark.production, pytest.mark.slow, pytest.mark.timeout(600)]


def call(url, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Run:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port, self.prometheus_port = free_port(), free_port()
        self.prefix = f"asp_t{uuid.uuid4().hex[:8]}_"
        self.env = {**{k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")},
                    "ASP_PROD_DIR": str(folder), "ASP_PROD_PORT": str(self.port),
                    "ASP_PROD_PROMETHEUS_PORT": str(self.prometheus_port), "ASP_PROD_DB_PREFIX": self.prefix,
                    "ASP_ADMIN_PASSWORD": PASSWORD, "ASP_PROD_SCRAPE_INTERVAL": "1s", "ASP_WEB_WORKERS": "2"}
        self.log = folder / "prodrun.log"
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, "-m", "prodrun"], cwd=REPO, env=self.env,
                                        stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 240
        while "Press Ctrl-C" not in self.log.read_text():
            assert self.process.poll() is None, self.log.read_text()[-4000:]
            assert time.monotonic() < deadline, "the run did not start within 240 s"
            time.sleep(0.5)

    def prometheus(self, query: str) -> float:
        url = f"http://127.0.0.1:{self.prometheus_port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        result = json.loads(call(url)[1])["data"]["result"]
        return float(result[0]["value"][1]) if result else 0.0

    def targets(self) -> list[dict]:
        status, body = call(f"http://127.0.0.1:{self.prometheus_port}/api/v1/targets")
        return json.loads(body)["data"]["activeTargets"]

    def stop(self) -> int | None:
        """SIGTERM, bounded; then make sure nothing it started is left, whatever happened."""
        code = None
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        elif self.process:
            code = self.process.returncode
        self.leftovers = self._kill_leftovers()
        return code

    def _kill_leftovers(self) -> list[str]:
        pids = self.folder / "pids"
        left = self._kafka_nodes_left()
        for line in pids.read_text().splitlines() if pids.exists() else []:
            pid, name = line.split(" ", 1)
            try:
                os.killpg(int(pid), signal.SIGKILL)
                left.append(name)
            except ProcessLookupError:
                pass
        return left

    def _kafka_nodes_left(self) -> list[str]:
        """The Kafka nodes run in sessions of their own: they are looked for by their folder."""
        left = []
        for entry in Path("/proc").iterdir():
            try:
                command = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
            except OSError:
                continue
            if b"kafka.Kafka" in command and str(self.folder).encode() in command:
                os.kill(int(entry.name), signal.SIGKILL)
                left.append(f"kafka node (pid {entry.name})")
        return left


@pytest.fixture
def run(tmp_path):
    require_tool("nginx")
    require_tool("prometheus")
    started = Run(tmp_path / "run")
    try:
        yield started
    finally:
        started.stop()
        try:
            postgres.drop_service_databases("postgresql://postgres@127.0.0.1:5432/postgres", started.prefix)
        except Exception:  # noqa: BLE001 — the run may have failed before making them
            pass


def wait_for(check, what: str, timeout_s: float = 90.0):
    deadline = time.monotonic() + timeout_s
    while True:
        outcome = check()
        if outcome:
            return outcome
        assert time.monotonic() < deadline, f"{what} within {timeout_s:.0f} s"
        time.sleep(1)


def test_a_commune_goes_through_the_production_like_run_and_prometheus_sees_it(run):
    run.start()
    processes = {p.name for p in topology.processes()}
    wait_for(lambda: {t["labels"]["process"] for t in run.targets() if t["health"] == "up"} == processes,
             "Prometheus saw every web app, relay and consumer up")
    requests_before = run.prometheus('sum(asp_http_requests_total{service="programme"})')
    published_before = run.prometheus('sum(asp_events_published_total{topic="programme.events"})')

    # Through nginx, on one port: every service under its prefix, metrics hidden.
    assert call(run.base + "/")[0] in (200, 302)
    for service in topology.services():
        assert call(f"{run.base}/{service}/healthz")[0] == 200, service
        assert call(f"{run.base}/{service}/readyz")[0] == 200, service
        assert call(f"{run.base}/{service}/metrics")[0] == 404, service

    status, body = call(run.base + "/programme/api/v1/auth/token", "POST",
                        {"email": "admin@asp.local", "password": PASSWORD})
    assert status == 200, body
    token = json.loads(body)["access_token"]
    commune = f"prod-{uuid.uuid4().hex[:6]}"
    status, body = call(run.base + "/programme/api/v1/communes", "POST",
                        {"slug": commune, "name": "Commune de test", "canton": "JU", "population": 1234},
                        token)
    assert status == 201, body
    phases_url = f"{run.base}/programme/api/v1/communes/{commune}/phases"
    assert call(f"{phases_url}/1/start", "POST", token=token)[0] == 200
    activity = json.loads(call(phases_url, token=token)[1])[0]["activities"][0]["key"]
    status, body = call(f"{phases_url}/1/activities/{activity}", "PUT", {"done": True}, token)
    assert status == 200 and json.loads(body)["activities"][0]["done"] is True

    # Onboarded, phase started, activity checked: three events, and at least five requests.
    wait_for(lambda: run.prometheus('sum(asp_events_published_total{topic="programme.events"})')
             >= published_before + 3, "the programme relay's published-events counter moved")
    wait_for(lambda: run.prometheus('sum(asp_http_requests_total{service="programme"})')
             >= requests_before + 5, "the programme web app's request counter moved")
    consuming = [d.name for d in DEFINITIONS
                 if any(topic_of("programme") in s.topics for s in d.subscriptions)]
    for service in consuming:
        wait_for(lambda: run.prometheus(f'sum(asp_events_consumed_total{{service="{service}", '
                                        f'type="programme.CommuneOnboarded"}})') >= 1,
                 f"{service}'s consumer counted the CommuneOnboarded event")
    # The programme overview's figures: reporting's read models, scraped through gunicorn.
    wait_for(lambda: run.prometheus('sum(asp_communes_by_phase{phase="1"})') >= 1,
             "Prometheus saw the commune in phase 1 (asp_communes_by_phase)")
    assert all(t["health"] == "up" for t in run.targets())
    rules = json.loads(call(f"http://127.0.0.1:{run.prometheus_port}/api/v1/rules")[1])["data"]["groups"]
    assert {rule["name"] for group in rules for rule in group["rules"]} >= {
        "AspProcessDown", "AspConsumerLagGrowing", "AspEventsDeadLettered", "AspOutboxBacklogOld"}

    assert run.stop() == 0, (run.folder / "prodrun.log").read_text()[-3000:]
    assert run.leftovers == [], "processes left running after the stop"
    exits = dict(line.split() for line in (run.folder / "exits").read_text().splitlines())
    assert exits == {name: "0" for name in [*processes, "nginx", "prometheus"]}, exits
