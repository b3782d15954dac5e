"""A partners world: the programme world (communes A and B, their staff and tokens) with the
partners service migrated and fed the communes through the real broker — programme's
outbox relay publishes CommuneOnboarded, the partners consumer applies it."""
from __future__ import annotations

import dataclasses
import time
import uuid

import pytest
from kafka import KafkaProducer

from shared.config import load_settings
from shared.contracts import Event, serialize, topic_of
from shared.service import ServiceRuntime
from tests.support.kafka import publish_all, read_events
from tests.support.world import World

from partners.adapters.orm import Commune
from partners.bootstrap import definition as partners_definition

FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000, "max_poll_interval_ms": 10000}


class PartnersWorld:
    def __init__(self, programme: World, runtime: ServiceRuntime, broker):
        self.programme = programme
        self.runtime = runtime
        self.broker = broker
        self.commune_a, self.commune_b = programme.commune_a, programme.commune_b
        # A group of its own, reading from the end of the topics as they are when it joins:
        # this test sees its own events, not the thousands other tests left on the broker.
        subscription = partners_definition.subscriptions[0]
        self.subscription = dataclasses.replace(subscription, group=f"partners-test-{uuid.uuid4().hex[:8]}")
        self._consumer = None

    # -- HTTP -------------------------------------------------------------------------------
    def app(self):
        if not hasattr(self, "_app"):
            self._app = self.runtime.create_app()
        return self._app

    def client(self):
        return self.app().test_client()

    def headers(self, who: str, language: str | None = None) -> dict[str, str]:
        return self.programme.headers(who, language)

    def token(self, who: str) -> str:
        return self.programme.tokens[who]

    def api(self, commune: str | None = None) -> str:
        return f"/partners/api/v1/communes/{commune or self.commune_a}"

    # -- the broker -------------------------------------------------------------------------
    def join(self) -> None:
        """Join the consumer group and settle at the end of every partition of the topics."""
        self._consumer = self.runtime.consumer(self.subscription, auto_offset_reset="latest", **FAST_GROUP)
        kafka = self._consumer.consumer
        deadline = time.monotonic() + 60
        while not kafka.assignment():
            assert time.monotonic() < deadline, "the partners consumer got no partitions"
            self._consumer.poll_once(timeout_ms=100)
        for partition in kafka.assignment():
            kafka.position(partition)  # resolves "latest" now, before this test publishes

    def consume_until(self, done, timeout_s: float = 60) -> None:
        if self._consumer is None:
            self.join()
        deadline = time.monotonic() + timeout_s
        while not done():
            assert time.monotonic() < deadline, "the partners consumer did not get there in time"
            self._consumer.poll_once(timeout_ms=200)

    def drain(self) -> None:
        """Apply whatever is on the topics now, until a poll brings nothing more."""
        self.consume_until(lambda: True)
        while self._consumer.poll_once(timeout_ms=500):
            pass

    def feed_communes(self) -> None:
        self.join()
        publish_all(self.programme.runtime)
        self.consume_until(lambda: self.known_communes() >= {self.commune_a, self.commune_b})

    def known_communes(self) -> set[str]:
        with self.runtime.unit_of_work() as uow:
            return {c.slug for c in uow.session.query(Commune).filter(Commune.onboarded.is_(True))}

    def produce(self, *events: Event) -> None:
        """Other services' events, put on the broker as their relays would."""
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap_servers)
        try:
            for event in events:
                producer.send(event.topic, key=event.key, value=serialize(event))
            producer.flush()
        finally:
            producer.close()

    def published(self, commune: str | None = None, expect: int = 0) -> list[Event]:
        publish_all(self.runtime)
        return read_events(self.broker.bootstrap_servers, topic_of("partners"), commune or self.commune_a,
                           expect=expect)

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.consumer.close()
            self._consumer.dead_letters.close()


@pytest.fixture
def partners_world(world, settings_env, broker) -> PartnersWorld:
    runtime = ServiceRuntime(partners_definition, load_settings(settings_env))
    runtime.migrate()
    built = PartnersWorld(world, runtime, broker)
    built.feed_communes()
    yield built
    built.close()


@pytest.fixture
def pw(partners_world) -> PartnersWorld:
    return partners_world


def event_scheduled(commune: str, event_id: str, title: str, partner_ids: list[str], **overrides) -> Event:
    payload = {"event_id": event_id, "series_id": None, "kind": "papotage", "phase": 2,
               "starts_at": "2026-05-12T17:00:00+00:00", "title": title,
               "ends_at": "2026-05-12T19:00:00+00:00", "capacity": None,
               "registration_required": False, "partner_ids": partner_ids, "status": "scheduled"}
    event_type = overrides.pop("type", "events.EventScheduled")
    payload.update(overrides)
    return Event(type=event_type, commune=commune, source="events", payload=payload)
