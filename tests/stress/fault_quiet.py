"""When the platform of a fault run is quiet, and whether anything was lost on the way: what
the fault run and the restore test check once their load has stopped."""
from __future__ import annotations

import sqlite3
import time
from collections import Counter

from kafka.errors import KafkaError

from shared.contracts import topic_of

from tests.stress.fault_client import Client
from tests.stress.fault_injector import SOURCES
from tests.stress.fault_platform import Platform
from tests.support.kafka import read_events


def wait_quiet(platform: Platform, timeout_s: float = 180) -> str:
    """Every outbox published, every consumer group's committed offsets at the end of every
    partition it reads. Returns reporting's live group."""
    deadline = time.monotonic() + timeout_s
    topics = [topic_of(s) for s in SOURCES]
    while True:
        pending = sum(_count(platform, s, "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") for s in SOURCES)
        group = reporting_group(platform)
        groups = {"surveys-communes": [topic_of("programme")],
                  "events-directory": [topic_of("programme"), topic_of("partners")],
                  "partners-network": [topic_of("programme"), topic_of("events")], group: topics}
        behind, by_group = 0, {}
        if not pending:
            try:
                by_group = _unread(platform, topics, groups)
                behind = sum(by_group.values())
            except KafkaError as exc:  # the broker busy (it rewrites its whole log each second)
                by_group, behind = {"broker": repr(exc)}, 1
        if not pending and not behind:
            return group
        assert time.monotonic() < deadline, f"not quiet: {pending} rows unpublished, messages unread by group: {by_group}"
        time.sleep(0.5)


def _unread(platform: Platform, topics: list[str], groups: dict[str, list[str]]) -> dict[str, int]:
    from kafka import KafkaAdminClient
    ends = platform.end_offsets(topics)
    admin = KafkaAdminClient(bootstrap_servers=platform.bootstrap)
    try:
        unread = {}
        for name, read in groups.items():
            committed = {(tp.topic, tp.partition): meta.offset
                         for tp, meta in admin.list_group_offsets({name: None})[name].items()}
            unread[name] = sum(end - committed.get(key, 0) for key, end in ends.items()
                               if key[0] in read and end > 0 and committed.get(key, 0) < end)
        return unread
    finally:
        admin.close()


def nothing_lost(platform: Platform, group: str) -> dict:
    figures = {}
    in_reporting = set()
    with sqlite3.connect(f"file:{platform.data / 'reporting.db'}?mode=ro", uri=True) as connection:
        in_reporting = {row[0] for row in connection.execute(
            "SELECT event_id FROM inbox WHERE consumer_group = ?", (group,))}
    everything = set()
    for service in SOURCES:
        with sqlite3.connect(f"file:{platform.data / service}.db?mode=ro", uri=True) as connection:
            rows = dict(connection.execute("SELECT event_id, published_at FROM outbox").fetchall())
        assert all(rows.values()), f"{service}: outbox rows left unpublished"
        on_broker = read_events(platform.bootstrap, topic_of(service), expect=len(rows), timeout_s=60)
        ids = Counter(event.event_id for event in on_broker)
        assert set(ids) == set(rows), (f"{service}: {len(set(rows) - set(ids))} events lost, "
                                       f"{len(set(ids) - set(rows))} unknown on the broker")
        figures[service] = {"events": len(rows), "records_on_broker": len(on_broker),
                            "published_twice_or_more": sum(1 for n in ids.values() if n > 1)}
        everything |= set(rows)
    missing = everything - in_reporting
    assert not missing, f"{len(missing)} events never reached reporting's inbox"
    figures["reporting_inbox"] = len(in_reporting & everything)
    return figures


def _count(platform: Platform, service: str, sql: str) -> int:
    with sqlite3.connect(f"file:{platform.data / service}.db?mode=ro", uri=True, timeout=60) as connection:
        return connection.execute(sql).fetchone()[0]


def reporting_group(platform: Platform) -> str:
    with sqlite3.connect(f"file:{platform.data / 'reporting.db'}?mode=ro", uri=True, timeout=60) as connection:
        return connection.execute("SELECT active_group FROM projection_state WHERE id = 1").fetchone()[0]


def handled_types() -> set[str]:
    from reporting.service_layer.projections import Projector
    return set(Projector(1).handlers())


def admin_headers(client: Client) -> dict:
    status, token = client.call("POST", "/programme/api/v1/auth/token",
                                {"email": "region@asp.example", "password": "demo"})
    assert status == 200
    return {"Authorization": f"Bearer {token['access_token']}"}
