"""Reporting fed by real events on the real broker, into a real database."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from kafka import KafkaProducer
from sqlalchemy.orm import Session

from shared.config import load_settings
from shared.contracts import Event, serialize
from shared.service import ServiceRuntime

from reporting.bootstrap import definition
from reporting.service_layer.generations import consumer_for, state


@dataclass
class Reporting:
    runtime: ServiceRuntime
    bootstrap: str

    def app(self):
        if not hasattr(self, "_app"):
            self._app = self.runtime.create_app()
        return self._app

    def client(self):
        return self.app().test_client()

    def catch_up(self, timeout_s: float = 60) -> None:
        """Consume into the active generation until every partition is read to its end."""
        with Session(self.runtime.engine) as session, session.begin():
            current = state(session)
            generation, group = current.active_generation, current.active_group
        consumer = consumer_for(self.runtime, generation, group)
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                consumer.poll_once(timeout_ms=200)
                assigned = consumer.consumer.assignment()
                if assigned:
                    ends = consumer.consumer.end_offsets(list(assigned))
                    if all(consumer.consumer.position(p) >= ends[p] for p in assigned):
                        return
            raise AssertionError("reporting did not catch up")
        finally:
            consumer.consumer.close(autocommit=False)
            consumer.dead_letters.close()


@pytest.fixture
def reporting(settings_env, broker) -> Reporting:
    runtime = ServiceRuntime(definition, load_settings(settings_env))
    runtime.migrate()
    return Reporting(runtime, broker.bootstrap_servers)


@pytest.fixture
def produce(broker):
    """Put events on their topics as their services would (the payloads are checked
    against the shared contracts on the way)."""
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    sent: list[Event] = []

    def send(*events: Event) -> None:
        for event in events:
            producer.send(event.topic, key=event.key, value=serialize(event))
            sent.append(event)
        producer.flush()
    send.sent = sent
    yield send
    producer.close()
