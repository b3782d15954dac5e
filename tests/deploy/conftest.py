"""Deployment tests: the files operators run (compose, Kubernetes, Prometheus, Grafana,
nginx, gunicorn) checked by real tools, and the production-like run (`-m production`)."""
import os
import shutil

import pytest

# Debian's packages: prometheus (with promtool) and nginx, which `.ci/run` installs; node and
# npm (there already) validate the AsyncAPI document (tests/shared/test_asyncapi.py). `.ci/run`
# sets ASP_REQUIRE_DEPLOY_TOOLS=1, so there a missing tool fails instead of skipping.
DEBIAN_PACKAGE = {"promtool": "prometheus", "prometheus": "prometheus", "nginx": "nginx", "node": "nodejs",
                  "npm": "npm"}


def pytest_configure(config):
    config.addinivalue_line("markers", "production: starts the production-like run (gunicorn, "
                            "PostgreSQL, nginx, Prometheus; `make prod-run`) and drives it")


def require_tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.access(f"/usr/sbin/{name}", os.X_OK) else None)
    if path is None:
        message = f"{name} not installed (apt-get install {DEBIAN_PACKAGE[name]})"
        if os.environ.get("ASP_REQUIRE_DEPLOY_TOOLS") == "1":
            pytest.fail(f"ASP_REQUIRE_DEPLOY_TOOLS=1 but {message}", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return require_tool("promtool")


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    return require_tool("nginx")


def pytest_collection_modifyitems(config, items):
    """The production-like run always uses PostgreSQL: the PostgreSQL pass of the suite
    (ASP_TEST_DATABASE=postgresql, `make test-postgres`) would only run it a second time."""
    if os.environ.get("ASP_TEST_DATABASE") != "postgresql":
        return
    again = [item for item in items if item.get_closest_marker("production")]
    if again:
        config.hook.pytest_deselected(items=again)
        items[:] = [item for item in items if not item.get_closest_marker("production")]
