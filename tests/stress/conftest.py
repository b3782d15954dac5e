"""What the stress proofs share: one platform per module, on databases of its own."""
from __future__ import annotations

import pytest

from tests.support.environment import service_env


@pytest.fixture(scope="module")
def module_env(request, tmp_path_factory, broker, databases) -> dict[str, str]:
    """What `settings_env` gives one test, for a platform that a whole module shares."""
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    return service_env(folder, broker.bootstrap_servers, databases)
