"""The broker stopped and started again while events flow: the relay and the consumer ride it
out in their running processes, and every event is applied exactly once.

Found by the fault run (tests/stress/test_faults.py): after a restart the group's generation
is new, the first commit is refused (IllegalGeneration), and that error used to end the
consumer's thread while its process lived on, reading nothing ever again.
"""
import dataclasses
import threading
import time

from shared.config import load_settings
from shared.contracts import topic_of
from shared.messaging.embedded_broker import free_port, remove_former_member
from shared.messaging.local_broker import kafka_nodes, local_broker
from shared.messaging.kafka import ensure_topics
from tests.support.counting import applied, counting_runtime, unique_group, write_events

FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000, "max_poll_interval_ms": 10000}


def wait_for(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_relay_and_consumer_ride_out_a_broker_restart(tmp_path, settings_env, databases, commune_slug):
    broker = local_broker(tmp_path / "own-broker", port=free_port(), nodes=kafka_nodes(default=3))
    broker.start()
    try:
        ensure_topics(broker.bootstrap_servers, [topic_of("restarted")])
        settings = dataclasses.replace(load_settings(settings_env), kafka_bootstrap_servers=broker.bootstrap_servers)
        runtime = counting_runtime(settings, databases.new("counting", tmp_path / "counting"), unique_group(),
                                   source="restarted")
        stop = threading.Event()
        consumer = runtime.consumer(runtime.definition.subscriptions[0], **FAST_GROUP)
        workers = [threading.Thread(target=consumer.run, args=(stop,), daemon=True),
                   threading.Thread(target=runtime.relay().run, args=(stop,), daemon=True)]
        for worker in workers:
            worker.start()
        try:
            written = len(write_events(runtime, commune_slug, 20))
            assert wait_for(lambda: applied(runtime, commune_slug) == (written, written), 60)

            writing = threading.Event()

            def keep_writing():  # events keep coming while the broker is away
                nonlocal written
                while not writing.is_set():
                    written += len(write_events(runtime, commune_slug, 1))
                    time.sleep(0.05)
            writer = threading.Thread(target=keep_writing, daemon=True)
            writer.start()
            time.sleep(1)
            broker.stop()
            time.sleep(2)
            broker.start()
            time.sleep(2)
            writing.set()
            writer.join()

            assert wait_for(lambda: applied(runtime, commune_slug)[1] == written, 90), \
                f"applied {applied(runtime, commune_slug)} of {written} after the restart"
            assert applied(runtime, commune_slug) == (written, written)  # once each, none twice
            assert all(worker.is_alive() for worker in workers)
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=30)
    finally:
        broker.stop()


KILLED_MEMBER = """
import sys, time
from shared.messaging.kafka import make_consumer
from shared.messaging.inbox import GroupMembership
membership = GroupMembership()
consumer = make_consumer(sys.argv[1], sys.argv[2], [sys.argv[3]], listener=membership, group_instance_id=sys.argv[4])
while membership.joining:
    consumer.poll(timeout_ms=100)
print("joined", flush=True)
time.sleep(600)
"""


def test_a_consumer_stuck_behind_its_killed_predecessor_removes_it(tmp_path, settings_env, databases, broker):
    """The embedded broker can keep a SIGKILLed static member in the group and never let its
    successor (same static name) in. A consumer of it whose join stalls removes the member of
    its name before its process ends, so the restarted process gets in. Apache Kafka hands the
    name over to the successor by itself: its consumers never remove anyone."""
    import subprocess
    import sys

    from kafka import KafkaAdminClient
    settings = load_settings(settings_env)
    runtime = counting_runtime(settings, databases.new("counting", tmp_path), unique_group(), source="restarted")
    subscription = runtime.definition.subscriptions[0]
    instance = f"{subscription.group}@{settings.consumer_instance}"
    predecessor = subprocess.Popen([sys.executable, "-c", KILLED_MEMBER, broker.bootstrap_servers, subscription.group,
                                    subscription.topics[0], instance], stdout=subprocess.PIPE, text=True)
    assert predecessor.stdout.readline().strip() == "joined"
    predecessor.kill()
    predecessor.wait()

    def members() -> list[str]:
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        try:
            group = admin.describe_groups([subscription.group])[subscription.group]
        finally:
            admin.close()
        return [member["group_instance_id"] for member in group["members"]]

    assert members() == [instance]  # the killed one stays: it never left
    consumer = runtime.consumer(subscription, **FAST_GROUP)
    try:
        if settings.embedded_broker:
            remove_former_member(consumer.consumer, subscription.group)
            assert members() == []
        assert wait_for(lambda: consumer.poll_once(timeout_ms=200) >= 0 and not consumer.membership.joining, 30)
        assert members() == [instance]
    finally:
        consumer.consumer.close(autocommit=False)
        consumer.dead_letters.close()
