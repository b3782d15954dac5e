"""The environment a service sees in the tests: its data folder, its broker, its databases."""
from __future__ import annotations

from pathlib import Path

from shared.config import SERVICES
from shared.messaging.local_broker import broker_kind

from tests.support.databases import DatabaseFactory


def service_env(folder: Path, bootstrap_servers: str, databases: DatabaseFactory) -> dict[str, str]:
    env = {"ASP_DATA_DIR": str(folder / "data"), "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
           "ASP_EMBEDDED": "1", "ASP_EMBEDDED_BROKER": "1" if broker_kind() == "embedded" else "0"}
    for service in SERVICES:
        env[f"{service.upper()}_DATABASE_URL"] = databases.new(service, folder)
    return env
