"""Settings from the environment, with the defaults of the embedded run.

| variable | default | meaning |
| --- | --- | --- |
| ASP_PORT | 8000 | port of the embedded server (all services under one port) |
| ASP_HOST | 127.0.0.1 | address of the embedded server |
| ASP_DATA_DIR | ./data | SQLite files, signing keys, broker data |
| KAFKA_BOOTSTRAP_SERVERS | the embedded broker of a running `make run` | Kafka to use, e.g. kafka:9092 |
| <SERVICE>_DATABASE_URL | sqlite:///<ASP_DATA_DIR>/<service>.db | one database per service |
| ASP_SECRET_KEY_FILE | <ASP_DATA_DIR>/keys/session-secret | signs the HTML session cookie |
| ASP_SECURE_COOKIES | 0 in the embedded run, 1 otherwise | Secure flag on the session cookie |
| ASP_TOKEN_TTL_SECONDS | 3600 | lifetime of an access token |
| ASP_OIDC_JWKS_URL / ASP_OIDC_JWKS_FILE | (none) | verify tokens of an external OpenID Connect provider |
| ASP_OIDC_ISSUER / ASP_OIDC_AUDIENCE | (none) / asp | expected iss and aud of external tokens |
| ASP_LOG_LEVEL | INFO | log level |
| ASP_ANONYMITY_THRESHOLD | 5 | smallest group a published figure may describe |
| ASP_WORKER_METRICS_PORT | (none) | port of a relay's or consumer's own /metrics |
| ASP_PUBLIC_RATE_LIMIT | 30/minute | answers and registrations per resident's address (surveys, events) |
| ASP_LOGIN_RATE_LIMIT | 5/15minutes | wrong passwords per e-mail address before sign-in waits (4× per client address) |
| ASP_EMBEDDED_BROKER | 1 when `make run` or the tests run the embedded broker, else 0 | the clients talk to the embedded broker: its client workarounds apply (shared/messaging/embedded_broker.py) |
| ASP_CONSUMER_INSTANCE | the host name | this consumer process's name in its groups (static membership: unique per running copy, the same after a restart) |
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("programme", "surveys", "events", "partners", "reporting")


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str
    port: int
    kafka_bootstrap_servers: str | None
    database_urls: dict[str, str] = field(repr=False)
    secure_cookies: bool
    token_ttl_seconds: int
    oidc_jwks_url: str | None
    oidc_jwks_file: str | None
    oidc_issuer: str | None
    oidc_audience: str
    log_level: str
    anonymity_threshold: int
    worker_metrics_port: int | None
    consumer_instance: str = field(default_factory=socket.gethostname)
    embedded_broker: bool = False

    def database_url(self, service: str) -> str:
        return self.database_urls[service]

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def bootstrap_servers(self) -> str:
        if not self.kafka_bootstrap_servers:
            raise RuntimeError(
                "KAFKA_BOOTSTRAP_SERVERS is not set: start the platform with `make run`, "
                "which starts the embedded broker, or point it at a Kafka cluster.")
        return self.kafka_bootstrap_servers


def _local_broker(data_dir: Path) -> str | None:
    """The address `make run`'s broker wrote, so a command beside it (a rebuild, say) finds it:
    the embedded broker's or Apache Kafka's folder (shared/messaging/local_broker.py)."""
    for folder in ("broker", "kafka"):
        address = data_dir / folder / "address"
        if address.exists():
            return address.read_text().strip()
    return None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("ASP_DATA_DIR", "data")).resolve()
    database_urls = {
        service: env.get(f"{service.upper()}_DATABASE_URL", f"sqlite:///{data_dir / (service + '.db')}")
        for service in SERVICES
    }
    embedded = env.get("ASP_EMBEDDED", "0") == "1"
    return Settings(
        data_dir=data_dir,
        host=env.get("ASP_HOST", "127.0.0.1"),
        port=int(env.get("ASP_PORT", "8000")),
        kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or _local_broker(data_dir),
        database_urls=database_urls,
        secure_cookies=_flag("ASP_SECURE_COOKIES", not embedded),
        token_ttl_seconds=int(env.get("ASP_TOKEN_TTL_SECONDS", "3600")),
        oidc_jwks_url=env.get("ASP_OIDC_JWKS_URL") or None,
        oidc_jwks_file=env.get("ASP_OIDC_JWKS_FILE") or None,
        oidc_issuer=env.get("ASP_OIDC_ISSUER") or None,
        oidc_audience=env.get("ASP_OIDC_AUDIENCE", "asp"),
        log_level=env.get("ASP_LOG_LEVEL", "INFO"),
        anonymity_threshold=int(env.get("ASP_ANONYMITY_THRESHOLD", "5")),
        worker_metrics_port=int(env["ASP_WORKER_METRICS_PORT"]) if env.get("ASP_WORKER_METRICS_PORT") else None,
        consumer_instance=env.get("ASP_CONSUMER_INSTANCE") or socket.gethostname(),
        embedded_broker=env.get("ASP_EMBEDDED_BROKER", "0") == "1",
    )
