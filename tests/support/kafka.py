"""Reading what is really on the broker, as a test consumer would."""
from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from shared.contracts import Event, parse


def read_events(bootstrap: str, topic: str, commune: str | None = None, expect: int = 0,
                timeout_s: float = 20.0) -> list[Event]:
    """Every event of `topic` (for one commune, if given) from the beginning: waits until at
    least `expect` are there, then reads to the end of the topic so extras are seen too."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        events: list[Event] = []
        deadline = time.monotonic() + timeout_s
        while True:
            for records in consumer.poll(timeout_ms=100).values():
                for record in records:
                    if commune is None or record.key == commune.encode():
                        events.append(parse(record.value))
            caught_up = all(consumer.position(p) >= end for p, end in consumer.end_offsets(partitions).items())
            if (len(events) >= expect and caught_up) or time.monotonic() > deadline:
                return events
    finally:
        consumer.close()


def publish_all(runtime) -> None:
    """Run a service's outbox relay until nothing is left to publish, as its relay process would."""
    relay = runtime.relay()
    try:
        while relay.publish_batch():
            pass
    finally:
        relay.producer.close()
