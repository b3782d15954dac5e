"""The 3-node Apache Kafka cluster of shared/messaging/apache_kafka.py is the production one
on a small scale: every acknowledged record survives the death of the node that leads most
partitions, and a stop and a crash of the whole cluster. Runs in `make test-kafka`."""
import uuid

import pytest

from shared.messaging.apache_kafka import KafkaCluster
from shared.messaging.kafka import ensure_topics, make_producer
from shared.messaging.local_broker import broker_kind
from tests.support.kafka import read_raw

pytestmark = [pytest.mark.broker, pytest.mark.slow]
TOPIC = "cluster-check.events"


@pytest.fixture
def cluster(tmp_path):
    if broker_kind() != "kafka":
        pytest.skip("Apache Kafka's own cluster: `make test-kafka` (ASP_BROKER=kafka)")
    with KafkaCluster(tmp_path / "kafka", nodes=3) as started:
        yield started


def test_acknowledged_records_survive_a_leader_killed_and_the_whole_cluster_stopped_or_crashed(cluster):
    ensure_topics(cluster.bootstrap_servers, [TOPIC])
    sent: list[bytes] = []

    def send(count: int) -> None:
        producer = make_producer(cluster.bootstrap_servers)
        try:
            for _ in range(count):
                value = uuid.uuid4().bytes
                producer.send(TOPIC, key=value[:2], value=value).get(timeout=60)  # acknowledged by 2 of 3
                sent.append(value)
        finally:
            producer.close()

    send(100)
    leaders = cluster.partition_leaders()
    assert sum(leaders.values()) >= 6 and len([n for n in leaders.values() if n]) == 3  # spread over the nodes
    busiest = max(leaders, key=leaders.get)
    cluster.kill_node(busiest)
    send(100)  # two nodes left: min.insync.replicas=2 still met
    cluster.start_node(busiest)
    cluster.wait_until_ready()
    assert sorted(read_raw(cluster.bootstrap_servers, TOPIC, len(sent))) == sorted(sent)

    cluster.stop()
    cluster.start()
    send(50)
    cluster.kill()
    cluster.start()
    assert sorted(read_raw(cluster.bootstrap_servers, TOPIC, len(sent))) == sorted(sent)
