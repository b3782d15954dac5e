"""The production-like run: the processes of production on one machine, without Docker.

PostgreSQL (one database and role per service) → Apache Kafka, 3 nodes as in production
(replication factor 3, min.insync.replicas=2) → migrations by the
deploy-time command → every service's web app under gunicorn and every relay and consumer
as its own process with its own metrics port → nginx on one port in front → Prometheus
scraping every process and loading the alert rules.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import load_settings
from shared.http.keys import ensure_keys
from shared.messaging.apache_kafka import KafkaCluster
from shared.messaging.embedded_broker import free_port
from shared.service import ServiceRuntime

from prodrun import nginx, postgres, topology
from prodrun.prometheus import scrape_config
from prodrun.supervisor import Supervisor
from prodrun.topology import Process

log = logging.getLogger("prodrun")
REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "deploy" / "prometheus" / "rules"


@dataclass
class RunConfig:
    folder: Path
    port: int = 8080
    prometheus_port: int = 9090
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    database_prefix: str = "asp_prod_"
    web_workers: int = 2
    scrape_interval: str = "1s"
    admin_email: str = "admin@asp.local"
    admin_password: str | None = None
    demo: bool = False

    @classmethod
    def from_environment(cls) -> "RunConfig":
        env = os.environ
        return cls(folder=Path(env.get("ASP_PROD_DIR", "data/prod")).resolve(),
                   port=int(env.get("ASP_PROD_PORT", "8080")),
                   prometheus_port=int(env.get("ASP_PROD_PROMETHEUS_PORT", "9090")),
                   postgres_url=env.get("ASP_PROD_POSTGRES_URL", cls.postgres_url),
                   database_prefix=env.get("ASP_PROD_DB_PREFIX", cls.database_prefix),
                   web_workers=int(env.get("ASP_WEB_WORKERS", "2")),
                   scrape_interval=env.get("ASP_PROD_SCRAPE_INTERVAL", cls.scrape_interval),
                   admin_email=env.get("ASP_ADMIN_EMAIL", cls.admin_email),
                   admin_password=env.get("ASP_ADMIN_PASSWORD") or None,
                   demo=env.get("ASP_PROD_DEMO", "0") == "1")


@dataclass
class ProductionLikeRun:
    config: RunConfig
    supervisor: Supervisor = field(init=False)
    broker: KafkaCluster | None = None
    addresses: dict[Process, str] = field(default_factory=dict)  # metrics endpoint of each

    def __post_init__(self):
        self.config.folder.mkdir(parents=True, exist_ok=True)
        (self.config.folder / "pids").unlink(missing_ok=True)
        self.supervisor = Supervisor(self.config.folder / "logs", self.config.folder / "pids")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.config.prometheus_port}"

    # -- start -------------------------------------------------------------------------------
    def start(self) -> None:
        _require_binaries()
        env = self._base_environment()
        self._migrate(env)
        self._ensure_admin(env)
        for process in topology.processes():
            self._start_process(process, env)
        self._start_nginx()
        self._start_prometheus()
        self._wait_until_ready()

    def _base_environment(self) -> dict[str, str]:
        folder = self.config.folder
        urls = postgres.ensure_service_databases(self.config.postgres_url, self.config.database_prefix)
        self.broker = KafkaCluster(folder / "kafka", nodes=3).start()
        topology.create_topics(self.broker.bootstrap_servers)
        env = {key: value for key, value in os.environ.items()
               if not key.endswith("_DATABASE_URL") and key not in ("PROMETHEUS_MULTIPROC_DIR", "ASP_EMBEDDED")}
        env.update({f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()})
        env.update(ASP_DATA_DIR=str(folder / "data"), KAFKA_BOOTSTRAP_SERVERS=self.broker.bootstrap_servers,
                   ASP_SECURE_COOKIES="0",  # plain HTTP on this machine; production sits behind TLS
                   ASP_WEB_WORKERS=str(self.config.web_workers))
        ensure_keys(folder / "data" / "keys")
        return env

    def _migrate(self, env: dict[str, str]) -> None:
        """The deploy-time command, as the compose file's and Kubernetes' migration job run it."""
        done = subprocess.run([sys.executable, "-m", "runner.migrate", "upgrade"], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"migrations failed:\n{done.stdout}\n{done.stderr}")

    def _ensure_admin(self, env: dict[str, str]) -> None:
        from prodrun.admin import ensure_account
        from programme.bootstrap import definition as programme
        password_file = self.config.folder / "admin-password"
        password = self.config.admin_password or (
            password_file.read_text().strip() if password_file.exists() else secrets.token_urlsafe(12))
        runtime = ServiceRuntime(programme, load_settings(env))
        if ensure_account(runtime, self.config.admin_email, "Platform administrator", password,
                          "regional_admin", []):
            password_file.write_text(password)
            password_file.chmod(0o600)
        if self.config.demo:
            programme.seed_demo(runtime)
        runtime.engine.dispose()

    def _start_process(self, process: Process, env: dict[str, str]) -> None:
        port = free_port()
        child_env = dict(env)
        if process.kind == "web":
            argv = [sys.executable, "-m", *process.command(bind=f"127.0.0.1:{port}")]
            child_env["PROMETHEUS_MULTIPROC_DIR"] = str(self.config.folder / "metrics" / process.service)
        else:
            argv = [sys.executable, *process.command()[1:]]
            child_env["ASP_WORKER_METRICS_PORT"] = str(port)
        self.supervisor.start(process.name, argv, child_env, cwd=REPO)
        self.addresses[process] = f"127.0.0.1:{port}"

    def _start_nginx(self) -> None:
        folder = self.config.folder / "nginx"
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / temp).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:  # nginx's workers then run as nobody: they buffer bodies here
                shutil.chown(folder / temp, "nobody")
        upstreams = {p.service: address for p, address in self.addresses.items() if p.kind == "web"}
        conf = folder / "nginx.conf"
        conf.write_text(_nginx_conf(folder, self.config.folder / "logs",
                                    nginx.server_block(upstreams, f"127.0.0.1:{self.config.port}")))
        self.supervisor.start("nginx", ["nginx", "-p", str(folder), "-c", str(conf),
                                        "-e", str(self.config.folder / "logs" / "nginx-error.log")],
                              os.environ.copy(), cwd=folder)

    def _start_prometheus(self) -> None:
        folder = self.config.folder / "prometheus"
        folder.mkdir(parents=True, exist_ok=True)
        config = scrape_config(self.addresses, [str(path) for path in sorted(RULES.glob("*.yml"))],
                               interval=self.config.scrape_interval)
        (folder / "prometheus.yml").write_text(json.dumps(config, indent=2))  # JSON is YAML
        self.supervisor.start("prometheus", [
            "prometheus", f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={folder / 'data'}", "--storage.tsdb.retention.time=1d",
            f"--web.listen-address=127.0.0.1:{self.config.prometheus_port}"], os.environ.copy(), cwd=folder)

    def _wait_until_ready(self, timeout_s: float = 180.0) -> None:
        checks = [f"http://{address}/{p.service}/readyz" for p, address in self.addresses.items()
                  if p.kind == "web"]
        checks += [f"http://{address}/metrics" for p, address in self.addresses.items() if p.kind != "web"]
        checks += [f"{self.base_url}/{topology.services()[0]}/healthz", f"{self.prometheus_url}/-/ready"]
        deadline = time.monotonic() + timeout_s
        for url in checks:
            while not _answers(url):
                if dead := self.supervisor.dead():
                    raise RuntimeError(f"{dead[0]} exited:\n{self.supervisor.log_tail(dead[0])}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")
                time.sleep(0.2)

    # -- stop --------------------------------------------------------------------------------
    def stop(self) -> None:
        """The front first (no new requests), then the web apps, then the workers (a relay
        finishes its batch), Prometheus, and the broker last."""
        names = list(self.supervisor.children)
        for kinds in (("nginx",), ("-web",), ("-relay", "-consumer"), ("prometheus",)):
            self.supervisor.stop([name for name in names if name.endswith(kinds)])
        self.supervisor.stop_all()
        if self.broker:
            self.broker.stop()
        # How each child ended (0: a clean stop on SIGTERM), for whoever checks the run.
        (self.config.folder / "exits").write_text("".join(
            f"{name} {child.returncode}\n" for name, child in self.supervisor.children.items()))


def _require_binaries() -> None:
    missing = [binary for binary in ("nginx", "prometheus") if shutil.which(binary) is None]
    if missing:
        raise RuntimeError(f"not installed: {', '.join(missing)} (apt-get install -y nginx prometheus)")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _nginx_conf(folder: Path, logs: Path, server: str) -> str:
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(f"    {temp}_temp_path {folder / temp};"
                      for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    indented = "".join(f"    {line}\n" if line else "\n" for line in server.splitlines())
    return (f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
            f"error_log {logs / 'nginx-error.log'} warn;\n"
            "events {\n    worker_connections 256;\n}\n"
            "http {\n"
            f"    access_log {logs / 'nginx-access.log'};\n{temps}\n{indented}}}\n")
