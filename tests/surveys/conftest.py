"""The surveys service against real parts: its own database, the programme's events on the
embedded broker (consumed into its communes table), and its app over HTTP."""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import pytest

from shared.contracts import topic_of
from shared.service import ServiceRuntime, Subscription
from tests.support.kafka import publish_all, read_events
from tests.support.world import World

from surveys.adapters.orm import Commune
from surveys.bootstrap import definition as surveys_definition

FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000, "max_poll_interval_ms": 10000}

# A complete, valid set of answers to the `qualite-de-vie` template.
VALID_ANSWERS = {
    "neighbour_network": "restricted",
    "neighbours_known_by_name": 4,
    "neighbour_interaction_frequency": "few_times_a_year",
    "interaction_places": ["street", "shops"],
    "interaction_duration": "few_minutes",
    "quality_of_life": 4,
    "local_politics_interest": 2,
    "involvement_wish": "maybe",
    "involvement_areas": ["citizen_forum"],
    "wishes": "Un café au centre du village, où l'on se retrouve.",
    "age_band": "age_45_64",
}


def consume_communes(runtime: ServiceRuntime, slugs: list[str], timeout_s: float = 60) -> None:
    """Run the service's own consumer (a group of its own, from the start of the topic) until
    the communes' CommuneOnboarded events are applied."""
    subscription = surveys_definition.subscriptions[0]
    consumer = runtime.consumer(Subscription(group=f"{subscription.group}-{uuid.uuid4().hex[:8]}",
                                             topics=subscription.topics, handlers=subscription.handlers),
                                **FAST_GROUP)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            consumer.poll_once(timeout_ms=300)
            with runtime.unit_of_work() as uow:
                if all(uow.session.get(Commune, slug) for slug in slugs):
                    return
        raise AssertionError(f"communes {slugs} never arrived from the programme service")
    finally:
        consumer.consumer.close(autocommit=False)
        consumer.dead_letters.close()


@dataclass
class SurveysWorld:
    """Two communes (A and B) onboarded by the programme service, known to surveys from its events."""
    programme: World
    runtime: ServiceRuntime
    bootstrap: str

    @property
    def commune_a(self) -> str:
        return self.programme.commune_a

    @property
    def commune_b(self) -> str:
        return self.programme.commune_b

    def app(self):
        if not hasattr(self, "_app"):
            self._app = self.runtime.create_app()
        return self._app

    def client(self):
        return self.app().test_client()

    def headers(self, who: str, language: str | None = None) -> dict[str, str]:
        return self.programme.headers(who, language)

    def base(self, commune: str | None = None) -> str:
        return f"/surveys/api/v1/communes/{commune or self.commune_a}/surveys"

    def create(self, who: str = "coordinator_a", commune: str | None = None, **body) -> dict:
        response = self.client().post(self.base(commune), json=body or {"template": "qualite-de-vie"},
                                      headers=self.headers(who))
        assert response.status_code == 201, response.json
        return response.json

    def published(self, who: str = "coordinator_a", commune: str | None = None, **body) -> dict:
        survey = self.create(who, commune, **body)
        response = self.client().post(f"{self.base(commune)}/{survey['id']}/publish", headers=self.headers(who))
        assert response.status_code == 200, response.json
        return response.json

    def answer(self, token: str, answers: dict, client=None, **kwargs):
        return (client or self.client()).post(f"/surveys/api/v1/public/{token}/responses",
                                              json={"answers": answers}, **kwargs)

    def publish_events(self) -> None:
        publish_all(self.runtime)

    def events(self, commune: str | None = None, expect: int = 0):
        return read_events(self.bootstrap, topic_of("surveys"), commune or self.commune_a, expect=expect)


@pytest.fixture
def surveys(world, broker) -> SurveysWorld:
    runtime = ServiceRuntime(surveys_definition, world.runtime.settings)
    runtime.migrate()
    publish_all(world.runtime)
    consume_communes(runtime, [world.commune_a, world.commune_b])
    return SurveysWorld(world, runtime, broker.bootstrap_servers)


def csrf_token(html: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', html).group(1).decode()
