"""Reading what is really on the broker, as a test consumer would."""
from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from shared.contracts import Event, parse


def read_events(bootstrap: str, topic: str, commune: str | None = None, expect: int = 0,
                timeout_s: float = 20.0) -> list[Event]:
    """Every event of `topic` (for one commune, if given) from the beginning: waits until at
    least `expect` are there, then reads to the end of the topic so extras are seen too."""
    return _read_from_beginning(bootstrap, topic, expect, timeout_s, lambda record: parse(record.value)
                                if commune is None or record.key == commune.encode() else None)


def read_raw(bootstrap: str, topic: str, expect: int, timeout_s: float = 60.0) -> list[bytes]:
    """Every record's value on `topic` from the beginning, as `read_events` reads them."""
    return _read_from_beginning(bootstrap, topic, expect, timeout_s, lambda record: record.value)


def _read_from_beginning(bootstrap: str, topic: str, expect: int, timeout_s: float,
                         keep: Callable[[ConsumerRecord], object | None]) -> list:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        kept: list = []
        deadline = time.monotonic() + timeout_s
        while True:
            for records in consumer.poll(timeout_ms=100).values():
                kept += [item for item in map(keep, records) if item is not None]
            caught_up = all(consumer.position(p) >= end for p, end in consumer.end_offsets(partitions).items())
            if (len(kept) >= expect and caught_up) or time.monotonic() > deadline:
                return kept
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

