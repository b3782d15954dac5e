"""What runs in production, derived from the service definitions (runner/services.py).

Every service: a web app under gunicorn and an outbox relay. A service with subscriptions
also has a consumer process (all its consumer groups, one thread each), and each group a
dead-letter topic. The production-like run, the compose file, the Kubernetes manifests and
the Prometheus targets are all built from this, so a service that gains a consumer needs
no hand edit: `make deploy-files` regenerates the committed files.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.contracts import topic_of
from shared.messaging.inbox import dead_letter_topic
from shared.messaging.kafka import DEFAULT_PARTITIONS, ensure_topics

from runner.services import DEFINITIONS

GUNICORN_CONFIG = "deploy/gunicorn.conf.py"
WEB_PORT = 8000
WORKER_METRICS_PORT = 9100
EVENT_PARTITIONS = DEFAULT_PARTITIONS  # also the most consumer replicas that get work
DEAD_LETTER_PARTITIONS = 1


@dataclass(frozen=True)
class Process:
    service: str
    kind: str  # "web", "relay" or "consumer"

    @property
    def name(self) -> str:
        return f"{self.service}-{self.kind}"

    @property
    def metrics_path(self) -> str:
        # A worker's own endpoint (prometheus_client.start_http_server) answers on any path.
        return f"/{self.service}/metrics" if self.kind == "web" else "/metrics"

    def command(self, bind: str = f"0.0.0.0:{WEB_PORT}") -> list[str]:
        if self.kind == "web":
            return ["gunicorn", "--config", GUNICORN_CONFIG, "--bind", bind,
                    f"{self.service}.entrypoints.wsgi:app"]
        return ["python", "-m", f"{self.service}.entrypoints.{self.kind}"]


def services() -> list[str]:
    return [definition.name for definition in DEFINITIONS]


def processes() -> list[Process]:
    found = []
    for definition in DEFINITIONS:
        found += [Process(definition.name, "web"), Process(definition.name, "relay")]
        if definition.subscriptions:
            found.append(Process(definition.name, "consumer"))
    return found


def event_topics() -> list[str]:
    return [topic_of(name) for name in services()]


def dead_letter_topics() -> list[str]:
    return [dead_letter_topic(subscription.group)
            for definition in DEFINITIONS for subscription in definition.subscriptions]


def topics() -> dict[str, int]:
    """Every topic the platform needs, with its partition count."""
    return {**{topic: EVENT_PARTITIONS for topic in event_topics()},
            **{topic: DEAD_LETTER_PARTITIONS for topic in dead_letter_topics()}}


def create_topics(bootstrap_servers: str) -> None:
    """What is missing of them, as compose and Kubernetes create them at deploy time: a
    dead letter then never waits for its topic to be made on first use."""
    ensure_topics(bootstrap_servers, event_topics(), EVENT_PARTITIONS)
    ensure_topics(bootstrap_servers, dead_letter_topics(), DEAD_LETTER_PARTITIONS)
