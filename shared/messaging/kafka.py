"""kafka-python clients configured the way every part of the platform uses them."""
from __future__ import annotations

import time

from kafka import ConsumerRebalanceListener, KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.config import SERVICES
from shared.contracts import topic_of

DEFAULT_PARTITIONS = 6
# kafka-python backs off up to 30 s between reconnections (the Java client: 1 s); after a
# whole-cluster restart the relays and consumers came back up to 26 s after the cluster.
RECONNECT_BACKOFF_MAX_MS = 1000


def make_producer(bootstrap_servers: str, **overrides) -> KafkaProducer:
    config = dict(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        # With idempotence, up to 5 in-flight requests still keep each partition in order.
        max_in_flight_requests_per_connection=5,
        linger_ms=5,
        retries=2**31 - 1,
        request_timeout_ms=15000,
        delivery_timeout_ms=60000,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        client_id="asp-producer",
    )
    config.update(overrides)
    return KafkaProducer(**config)


def make_consumer(bootstrap_servers: str, group: str, topics: list[str],
                  listener: ConsumerRebalanceListener | None = None, assign_all: bool = False,
                  **overrides) -> KafkaConsumer:
    """A consumer of `group` on `topics`: a member of the group, given its share of the
    partitions; or, with `assign_all`, a reader of every partition that does not join the
    group (nothing to wait for) but reads and commits offsets under its name."""
    config = dict(
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        session_timeout_ms=10000,
        heartbeat_interval_ms=3000,
        max_poll_records=500,
        # Also how long a rebalance waits for members that died without leaving: the
        # embedded broker waits this long (not the session timeout) before a restarted
        # consumer gets its partitions back.
        max_poll_interval_ms=60000,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        client_id=f"asp-{group}",
    )
    config.update(overrides)
    consumer = KafkaConsumer(**config)
    if not assign_all:
        consumer.subscribe(topics, listener=listener)
        # Fetch the subscribed topics' metadata now, before the first join. Otherwise a group
        # leader assigns against an empty snapshot of them, then rebalances again once they
        # arrive, and kafka-python 3.0.12 can drop that second join when the poll driving it
        # times out: the pending join is never awaited again and the partitions are never
        # assigned (seen on Apache Kafka with short polls; GroupMembership's patience is the
        # last resort).
        consumer.topics()
        return consumer
    partitions = [TopicPartition(topic, number) for topic in topics
                  for number in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(partitions)
    if listener is not None:
        listener.on_partitions_assigned(partitions)
    return consumer


def platform_topics() -> list[str]:
    return [topic_of(service) for service in SERVICES]


def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int = DEFAULT_PARTITIONS,
                  timeout_s: float = 30.0) -> None:
    """Create missing topics. Production creates them at deploy time; this serves the
    embedded run and the tests, where the broker starts empty."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="asp-admin")
            break
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        existing = set(admin.list_topics())
        # -1: the broker's default.replication.factor (3 on a 3-node cluster, as in production).
        missing = [NewTopic(name, partitions, -1) for name in topics if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def broker_reachable(bootstrap_servers: str, timeout_s: float = 2.0) -> bool:
    import socket
    for address in bootstrap_servers.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            socket.create_connection((host.strip("[]") or "localhost", int(port)), timeout_s).close()
            return True
        except (OSError, ValueError):
            continue
    return False
