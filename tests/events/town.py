"""The events service in a small world: the programme's communes A and B (and their staff's
tokens), told to the events service through the broker, with partners of each commune
published on the partners' topic — the way the service learns them in production."""
from __future__ import annotations

import dataclasses
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import select

from shared.config import load_settings
from shared.contracts import Event, parse, serialize, topic_of
from shared.messaging.kafka import make_producer
from shared.service import ServiceRuntime
from tests.support.kafka import publish_all
from tests.support.world import World

from events.adapters.orm import Commune, Partner
from events.bootstrap import definition

# The broker's smallest session timeout, so a closed consumer's group settles fast.
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000, "max_poll_interval_ms": 10000}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def utc(**delta) -> datetime:
    return datetime.now(timezone.utc) + timedelta(**delta)


def partner_registered(commune: str, partner_id: str, name: str) -> Event:
    return Event(type="partners.PartnerRegistered", commune=commune, source="partners", payload={
        "partner_id": partner_id, "name": name, "kind": "association", "regional": False,
        "status": "active", "roles": ["co_organiser"], "registered_on": "2026-01-05"})


def publish(bootstrap: str, events: list[Event]) -> None:
    """As the partners service's relay would: serialized by the contract, keyed by commune."""
    producer = make_producer(bootstrap, client_id="test-partners")
    for event in events:
        producer.send(event.topic, key=event.key, value=serialize(event))
    producer.flush()
    producer.close()


@dataclass
class Town:
    world: World
    runtime: ServiceRuntime
    bootstrap: str
    partners: dict[str, list[str]] = field(default_factory=dict)

    @property
    def a(self) -> str:
        return self.world.commune_a

    @property
    def b(self) -> str:
        return self.world.commune_b

    @classmethod
    def create(cls, world: World, env: dict[str, str], bootstrap: str) -> "Town":
        runtime = ServiceRuntime(definition, load_settings(env))
        runtime.migrate()
        town = cls(world, runtime, bootstrap)
        publish_all(world.runtime)  # the programme's CommuneOnboarded of A and B
        suffix = uuid.uuid4().hex[:6]
        town.partners = {town.a: [f"pa1-{suffix}", f"pa2-{suffix}"], town.b: [f"pb1-{suffix}"]}
        publish(bootstrap, [
            partner_registered(town.a, town.partners[town.a][0], "Société de développement"),
            partner_registered(town.a, town.partners[town.a][1], "Paroisse catholique"),
            partner_registered(town.b, town.partners[town.b][0], "Ludothèque"),
        ])
        wanted = {partner for ids in town.partners.values() for partner in ids}
        town.consume_until(lambda session: wanted <= set(session.scalars(select(Partner.partner_id)))
                           and set(session.scalars(select(Commune.name).where(Commune.slug.in_((town.a, town.b)))))
                           == {"Commune A", "Commune B"})
        return town

    # -- the broker --------------------------------------------------------------------------
    def consume_until(self, done, timeout_s: float = 60.0) -> None:
        """Drive the service's real consumer (a fresh group, so it reads from the start)."""
        subscription = dataclasses.replace(definition.subscriptions[0],
                                           group=f"events-directory-test-{uuid.uuid4().hex[:8]}")
        consumer = self.runtime.consumer(subscription, **FAST_GROUP)
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                consumer.poll_once(timeout_ms=200)
                with self.runtime.session_factory() as session:
                    if done(session):
                        return
                assert time.monotonic() < deadline, "the consumer did not apply the events in time"
        finally:
            consumer.consumer.close()
            consumer.dead_letters.close()

    def publish_all(self) -> None:
        publish_all(self.runtime)

    def messages(self, commune: str | None = None) -> list[Event]:
        """Every event of this service on the broker (for one commune, if given)."""
        self.publish_all()
        return [parse(value) for key, value in raw_messages(self.bootstrap, topic_of("events"))
                if commune is None or key == commune.encode()]

    # -- HTTP --------------------------------------------------------------------------------
    def app(self):
        if not hasattr(self, "_app"):
            self._app = self.runtime.create_app()
        return self._app

    def client(self):
        return self.app().test_client()

    def headers(self, who: str, language: str | None = None) -> dict[str, str]:
        return self.world.headers(who, language)

    def api(self, commune: str) -> str:
        return f"/events/api/v1/communes/{commune}"

    def schedule(self, commune: str | None = None, who: str = "coordinator_a", **overrides) -> dict:
        commune = commune or self.a
        starts = overrides.pop("starts_at", utc(days=7))
        body = {"kind": "brise_glace", "title": "Apéro de quartier", "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(), "place_name": "Préau de l'école",
                "phase": 2, **overrides}
        response = self.client().post(f"{self.api(commune)}/events", json=body, headers=self.headers(who))
        assert response.status_code == 201, response.json
        return response.json

    def sign_in(self, client, who: str) -> None:
        """A signed-in page session, as the programme's login would leave it."""
        with client.session_transaction() as session:
            session["access_token"] = self.world.tokens[who]


def csrf_token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return CSRF.search(page.get_data(as_text=True)).group(1)


def register(client, commune: str, event_id: str, csrf: str | None = None, **form):
    """Fill and send the public registration form, as a browser would (CSRF included); `csrf`:
    a token the browser got earlier, when the page no longer shows the form."""
    path = f"/events/c/{commune}/e/{event_id}"
    data = {"csrf_token": csrf or csrf_token(client, path), "party_size": "1", **form}
    return client.post(path, data=data)


def token_of(response) -> str:
    assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:2000])
    return re.search(r"/events/r/([^?#]+)", response.headers["Location"]).group(1)


def raw_messages(bootstrap: str, topic: str, timeout_s: float = 20.0) -> list[tuple[bytes, bytes]]:
    """(key, value) of every message on the topic, read to its end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found, deadline = [], time.monotonic() + timeout_s
        while any(consumer.position(p) < end for p, end in ends.items()) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                found += [(record.key, record.value) for record in records]
        return found
    finally:
        consumer.close()


