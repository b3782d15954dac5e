"""What the stress proofs share: one platform per module, on databases of its own."""
from __future__ import annotations

import pytest
from runner.services import BY_NAME
from shared.messaging.local_broker import broker_kind

SERVICES = tuple(BY_NAME)  # in the order the runner starts them


@pytest.fixture(scope="module")
def module_env(request, tmp_path_factory, broker, databases) -> dict[str, str]:
    """What `settings_env` gives one test, for a platform that a whole module shares."""
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    env = {"ASP_DATA_DIR": str(folder / "data"), "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
           "ASP_EMBEDDED": "1", "ASP_EMBEDDED_BROKER": "1" if broker_kind() == "embedded" else "0"}
    for service in SERVICES:
        env[f"{service.upper()}_DATABASE_URL"] = databases.new(service, folder)
    return env
