"""Outbox, relay and idempotent consumer against the real broker and database,
including processes killed with SIGKILL at the worst lines."""
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import delete, func, insert, select

from shared.config import load_settings
from shared.contracts import serialize, topic_of
from shared.messaging.inbox import dead_letter_topic
from shared.messaging.kafka import ensure_topics
from shared.messaging.outbox import backlog
from shared.observability import metrics
from shared.observability.context import current_correlation_id, reset_correlation_id, set_correlation_id
from tests.support.counting import (POISON, activity_event, applied, counting_runtime, record_application,
                                    source_of, unique_group, write_events)
from tests.support.kafka import publish_all, read_events

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def group():
    return unique_group()


@pytest.fixture
def source(broker) -> str:
    """A topic of this test's own, so other tests' traffic never reaches its counts."""
    name = f"t{uuid.uuid4().hex[:10]}"
    ensure_topics(broker.bootstrap_servers, [topic_of(name)])
    return name


@pytest.fixture
def counting(settings_env, databases, tmp_path, group, source):
    return counting_runtime(load_settings(settings_env), databases.new("counting", tmp_path / "counting"), group,
                            source=source)


# The broker's smallest session timeout: a killed member leaves the group sooner.
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000, "max_poll_interval_ms": 10000}


def consume_until(runtime, commune, expected, timeout_s=60):
    consumer = runtime.consumer(runtime.definition.subscriptions[0], **FAST_GROUP)
    deadline = time.monotonic() + timeout_s
    try:
        while applied(runtime, commune)[1] < expected and time.monotonic() < deadline:
            consumer.poll_once()
        consumer.poll_once(timeout_ms=300)  # anything more that is there gets applied too
    finally:
        consumer.consumer.close()
        consumer.dead_letters.close()


def outbox_rows(runtime):
    outbox = runtime.definition.outbox
    with runtime.engine.connect() as connection:
        return connection.execute(select(func.count(), func.count(outbox.c.published_at))).one()


def test_a_rolled_back_change_leaves_no_event(counting, commune_slug, source):
    with counting.unit_of_work() as uow:
        uow.publish(activity_event(commune_slug, source=source))
        uow.rollback()
    assert outbox_rows(counting) == (0, 0)


def test_the_relay_publishes_pending_rows_in_order_and_marks_them(counting, broker, commune_slug, source):
    ids = write_events(counting, commune_slug, 25)
    with counting.session_factory() as session:
        assert backlog(session, counting.definition.outbox)[0] == 25
    publish_all(counting)
    assert outbox_rows(counting) == (25, 25)
    events = read_events(broker.bootstrap_servers, topic_of(source), commune_slug, expect=25)
    assert [e.event_id for e in events] == ids  # one commune, one partition: in order


def test_the_consumer_applies_each_event_once_even_when_delivered_twice(counting, broker, commune_slug, group,
                                                                        source):
    write_events(counting, commune_slug, 10)
    publish_all(counting)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    for event in read_events(broker.bootstrap_servers, topic_of(source), commune_slug, expect=10):
        producer.send(topic_of(source), key=commune_slug.encode(), value=serialize(event))
    producer.flush()
    duplicates_before = metrics.EVENTS_DUPLICATE.labels("counting", group)._value.get()
    consume_until(counting, commune_slug, 10)
    assert applied(counting, commune_slug) == (10, 10)
    assert metrics.EVENTS_DUPLICATE.labels("counting", group)._value.get() - duplicates_before == 10


def test_poison_messages_go_to_the_dead_letter_topic_and_the_consumer_goes_on(counting, broker, commune_slug, group,
                                                                              source):
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    topic = topic_of(source)
    producer.send(topic, key=commune_slug.encode(), value=b"{not an event")
    producer.send(topic, key=commune_slug.encode(), value=serialize(activity_event(commune_slug, POISON, source)))
    good = activity_event(commune_slug, source=source)
    producer.send(topic, key=commune_slug.encode(), value=serialize(good))
    producer.flush()
    consume_until(counting, commune_slug, 1)
    assert applied(counting, commune_slug) == (1, 1)
    assert metrics.EVENTS_DEAD_LETTERED.labels("counting", group)._value.get() == 2
    dead = KafkaConsumer(dead_letter_topic(group), bootstrap_servers=broker.bootstrap_servers,
                         auto_offset_reset="earliest", consumer_timeout_ms=10000)
    letters = []
    for record in dead:
        letters.append((record.value, dict(record.headers)))
        if len(letters) == 2:
            break
    dead.close()
    assert len(letters) == 2
    assert letters[0][0] == b"{not an event" and letters[0][1]["error"].startswith(b"contract:")
    assert b"can never be applied" in letters[1][1]["error"]
    assert list(stored_positions(counting, group).values()) == [3]  # the dead letters count as read


def stored_positions(runtime, group) -> dict[tuple[str, int], int]:
    offsets = runtime.definition.consumer_offsets
    with runtime.engine.connect() as connection:
        return {(row.topic, row.partition): row.next_offset for row in connection.execute(
            select(offsets).where(offsets.c.consumer_group == group))}


def test_a_database_restored_from_a_backup_reads_again_what_it_had_not_applied(counting, broker, commune_slug,
                                                                               group, source):
    """The consumer resumes where its database stands, not at the group's offsets in Kafka,
    which a restore leaves ahead of the database: what came after the backup is applied."""
    from tests.support.counting import applications
    tables = [applications, counting.definition.inbox, counting.definition.consumer_offsets]
    write_events(counting, commune_slug, 10)
    publish_all(counting)
    consume_until(counting, commune_slug, 10)
    with counting.engine.connect() as connection:
        backup = {table: [row._asdict() for row in connection.execute(select(table))] for table in tables}
    write_events(counting, commune_slug, 15)
    publish_all(counting)
    consume_until(counting, commune_slug, 25)
    assert applied(counting, commune_slug) == (25, 25)

    with counting.engine.begin() as connection:  # the restore
        for table in tables:
            connection.execute(delete(table))
            connection.execute(insert(table), backup[table])
    assert applied(counting, commune_slug) == (10, 10)
    consume_until(counting, commune_slug, 25)
    assert applied(counting, commune_slug) == (25, 25)
    assert sum(stored_positions(counting, group).values()) == 25


def test_an_empty_database_reads_its_topics_from_the_beginning(counting, broker, commune_slug, group, source,
                                                               settings_env, databases, tmp_path):
    """A database that has read nothing (new, or restored from a backup older than the
    group) starts at the beginning, though the group's offsets in Kafka are at the end."""
    write_events(counting, commune_slug, 5)
    publish_all(counting)
    consume_until(counting, commune_slug, 5)
    empty = counting_runtime(load_settings(settings_env), databases.new("counting", tmp_path / "empty"), group,
                             source=source)
    consume_until(empty, commune_slug, 5)
    assert applied(empty, commune_slug) == (5, 5)


def _spawn(mode, counting, settings_env, group, marker):
    config = {"env": settings_env, "database_url": counting.settings.database_url("counting"), "group": group,
              "source": source_of(counting)}
    return subprocess.Popen([sys.executable, "-m", "tests.support.processes", mode, json.dumps(config), str(marker)],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def _wait_for(marker: Path, process, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while not marker.exists():
        assert process.poll() is None, "the process died before reaching the line"
        assert time.monotonic() < deadline, "the process never reached the line"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_relay_killed_between_publish_and_mark_resends_and_the_consumer_counts_once(
        counting, settings_env, broker, commune_slug, group, tmp_path, source):
    write_events(counting, commune_slug, 20)
    marker = tmp_path / "relay-reached"
    process = _spawn("relay-hang-before-mark", counting, settings_env, group, marker)
    _wait_for(marker, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert outbox_rows(counting) == (20, 0)  # on the broker, but not marked
    assert len(read_events(broker.bootstrap_servers, topic_of(source), commune_slug, expect=20)) == 20
    publish_all(counting)  # the restarted relay sends them all again
    assert outbox_rows(counting) == (20, 20)
    assert len(read_events(broker.bootstrap_servers, topic_of(source), commune_slug, expect=40)) == 40
    consume_until(counting, commune_slug, 20)
    assert applied(counting, commune_slug) == (20, 20)


@pytest.mark.slow
def test_a_consumer_killed_before_committing_offsets_reprocesses_without_double_effect(
        counting, settings_env, broker, commune_slug, group, tmp_path, source):
    write_events(counting, commune_slug, 20)
    publish_all(counting)
    marker = tmp_path / "consumer-reached"
    process = _spawn("consume-hang-before-commit", counting, settings_env, group, marker)
    _wait_for(marker, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    first_run = applied(counting, commune_slug)
    assert first_run[0] > 0  # effects were committed before the kill
    consume_until(counting, commune_slug, 20)  # same group: re-delivered from the last commit
    assert applied(counting, commune_slug) == (20, 20)



def test_the_consumer_works_under_the_correlation_id_of_the_request_that_caused_the_event(
        settings_env, databases, tmp_path, broker, commune_slug, group, source):
    seen = []

    def remember_correlation(session, event):
        seen.append(current_correlation_id())
        record_application(session, event)

    runtime = counting_runtime(load_settings(settings_env), databases.new("counting", tmp_path / "c"), group,
                               handler=remember_correlation, source=source)
    token = set_correlation_id("http-request-7")
    try:
        write_events(runtime, commune_slug, 1)
    finally:
        reset_correlation_id(token)
    publish_all(runtime)
    consume_until(runtime, commune_slug, 1)
    assert seen == ["http-request-7"]


def test_every_consumer_dead_letters_to_a_topic_the_deployment_creates(settings_env):
    """compose, Kubernetes and the production-like run create prodrun/topology.py's dead-letter
    topics; reporting's consumer, whose group changes with each generation of its read
    models, used to write to a topic of that passing name, which no deployment had."""
    from prodrun import topology
    from reporting.service_layer.generations import _new_group, consumer_for
    from runner.services import DEFINITIONS
    from shared.service import ServiceRuntime
    settings = load_settings(settings_env)
    created = set(topology.dead_letter_topics())
    consumers = []
    try:
        for definition in DEFINITIONS:
            runtime = ServiceRuntime(definition, settings)
            if definition.name == "reporting":
                consumers.append(consumer_for(runtime, 2, _new_group(2), static=False))
            else:
                consumers += [runtime.consumer(subscription, static=False) for subscription in definition.subscriptions]
        assert len(consumers) == len(created) == 4
        assert {consumer.dead_letter_topic for consumer in consumers} == created
    finally:
        for consumer in consumers:
            consumer.consumer.close(autocommit=False)
            consumer.dead_letters.close(timeout=5)


def test_a_dead_letter_the_broker_did_not_acknowledge_is_sent_again(counting, broker, commune_slug, group, source):
    """A batch whose dead letter was refused (the topic not there yet, the broker away) is
    read again: the poison still reaches the dead-letter topic, the good event counts once.
    It used to be skipped: the consumer's position had moved past it."""
    from kafka.errors import KafkaTimeoutError
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    topic = topic_of(source)
    producer.send(topic, key=commune_slug.encode(), value=b"{not an event")
    producer.send(topic, key=commune_slug.encode(), value=serialize(activity_event(commune_slug, source=source)))
    producer.flush()
    producer.close()
    consumer = counting.consumer(counting.definition.subscriptions[0], **FAST_GROUP)
    real_send, refused = consumer.dead_letters.send, []

    def send_refused_once(*args, **kwargs):
        if not refused:
            refused.append(args)
            raise KafkaTimeoutError("the dead-letter topic did not answer")
        return real_send(*args, **kwargs)
    consumer.dead_letters.send = send_refused_once
    try:
        deadline = time.monotonic() + 60
        while metrics.EVENTS_DEAD_LETTERED.labels("counting", group)._value.get() < 1:
            assert time.monotonic() < deadline, "the poison never reached the dead-letter topic"
            try:
                consumer.poll_once()
            except KafkaTimeoutError:
                pass
    finally:
        consumer.consumer.close()
        consumer.dead_letters.close()
    assert refused and applied(counting, commune_slug) == (1, 1)
    dead = KafkaConsumer(dead_letter_topic(group), bootstrap_servers=broker.bootstrap_servers,
                         auto_offset_reset="earliest", consumer_timeout_ms=5000)
    try:
        assert [record.value for record in dead] == [b"{not an event"]
    finally:
        dead.close()
