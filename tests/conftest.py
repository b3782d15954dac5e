"""Fixtures with real parts: the embedded Kafka-compatible broker, and a real database per
service (SQLite files, or PostgreSQL with ASP_TEST_DATABASE=postgresql)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from shared.messaging.kafka import ensure_topics, platform_topics
from shared.messaging.local_broker import broker_kind, kafka_nodes, local_broker
from tests.support.databases import DatabaseFactory
from tests.support.environment import service_env
from tests.support.world import World

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    """The embedded broker; Apache Kafka's own, 3 nodes, with ASP_BROKER=kafka (`make
    test-kafka`); or an already running one when ASP_TEST_KAFKA_BOOTSTRAP names it."""
    external = os.environ.get("ASP_TEST_KAFKA_BOOTSTRAP")
    if external:
        ensure_topics(external, platform_topics())
        yield ExternalBroker(external)
        return
    with local_broker(tmp_path_factory.mktemp("broker"), nodes=kafka_nodes(default=3)) as running:
        ensure_topics(running.bootstrap_servers, platform_topics())
        yield running


class ExternalBroker:
    def __init__(self, bootstrap_servers: str):
        self.bootstrap_servers = bootstrap_servers


@pytest.fixture(scope="session")
def databases():
    factory = DatabaseFactory.from_environment()
    yield factory
    factory.drop_all()


@pytest.fixture
def settings_env(tmp_path, broker, databases) -> dict[str, str]:
    """The environment a service would see: its own data folder and databases."""
    return service_env(tmp_path, broker.bootstrap_servers, databases)


@pytest.fixture
def world(settings_env) -> World:
    """The programme service migrated, with two communes, their staff and their tokens."""
    return World.create(settings_env)


@pytest.fixture
def commune_slug() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_report_header(config):
    kind = os.environ.get("ASP_TEST_DATABASE", "sqlite")
    broker = (f"Apache Kafka, {kafka_nodes(default=3)} node(s)" if broker_kind() == "kafka"
              else "embedded noida-db (Kafka protocol)")
    return f"ASP databases: {kind}; broker: {broker}"


# -- real-browser tests (headless Debian Chromium through Playwright) -------------------------
from tests.support.browser import (CHROMIUM_ARGS, DESKTOP, NO_CHROMIUM, PHONE,  # noqa: E402
                                   find_chromium)


def pytest_collection_modifyitems(config, items):
    """Whatever uses the broker fixture talks to a broker: `make test-kafka` selects these."""
    for item in items:
        if "broker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.broker)


def pytest_configure(config):
    config.addinivalue_line("markers", "phone: the `page` fixture gets a phone-size viewport (390x844)")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("ASP_REQUIRE_BROWSER") == "1":
            pytest.fail("ASP_REQUIRE_BROWSER=1 but no Chromium was found at /usr/bin/chromium or on "
                        "PATH: install it (apt-get install chromium) or set ASP_CHROMIUM.", pytrace=False)
        pytest.skip(NO_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context (no cookies) in Swiss French; 1280x900, or 390x844 with
    @pytest.mark.phone."""
    viewport = PHONE if request.node.get_closest_marker("phone") else DESKTOP
    context = browser.new_context(viewport=viewport, locale="fr-CH", timezone_id="Europe/Zurich")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if NO_CHROMIUM in str(getattr(report, "longrepr", ""))]
    if skipped:
        terminalreporter.write_sep("!", f"{NO_CHROMIUM} — {len(skipped)} test(s) skipped",
                                   red=True, bold=True)
