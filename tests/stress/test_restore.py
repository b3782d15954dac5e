"""Restores are exact (issue 13): reporting's database is backed up while the communes work,
the work goes on, then the backup is restored and the platform resumes. Reporting's consumer
resumes where the restored database stands (its positions are kept with its effects), so it
reads again exactly what the backup lacks: every dashboard equals the sources.

This is deploy/README.md's restore procedure: stop reporting, put the backup in place of
its database, start reporting. Here the whole `make run` stops (the runner serves every
service), and the residents and coordinators keep calling through the stop: their client
retries what gets no answer, as in the fault run.
"""
from __future__ import annotations

import random
import sqlite3
import threading
import time
from contextlib import closing

import pytest

from tests.stress.fault_client import Client
from tests.stress.fault_platform import Platform
from tests.stress.fault_scenario import Scenario
from tests.stress.fault_truth import Sources, differences
from tests.stress.fault_quiet import admin_headers, handled_types, nothing_lost, wait_quiet
from tests.stress.test_faults import THRESHOLD

pytestmark = [pytest.mark.slow, pytest.mark.embedded, pytest.mark.broker]

SEED = random.SystemRandom().randrange(10**6)
WORK_BEFORE_BACKUP_S, WORK_AFTER_BACKUP_S, WORK_AFTER_RESTORE_S = 15, 15, 10


@pytest.fixture
def platform(tmp_path):
    platform = Platform(tmp_path)
    yield platform
    platform.cleanup()


def test_a_restored_reporting_database_reads_again_what_it_lacks(platform, tmp_path):
    print(f"\nrestore run: seed {SEED}, data in {tmp_path}")
    began = time.monotonic()
    platform.start_broker()
    platform.start_runner()
    client = Client(platform.base)
    scenario = Scenario(client, SEED, 2)
    scenario.onboard()
    done = threading.Event()
    workers = [threading.Thread(target=scenario.work, args=(commune, done, SEED + n), name=commune.slug)
               for n, commune in enumerate(scenario.communes)]
    for worker in workers:
        worker.start()
    try:
        time.sleep(WORK_BEFORE_BACKUP_S)
        backup = tmp_path / "reporting-backup.db"
        with closing(sqlite3.connect(platform.data / "reporting.db", timeout=60)) as live, \
                closing(sqlite3.connect(backup)) as copy:
            live.backup(copy)  # SQLite's online backup: one consistent snapshot while it works
        time.sleep(WORK_AFTER_BACKUP_S)

        print(f"restore: backup taken, stopping at {time.monotonic() - began:.0f} s")
        assert platform.stop_runner() == 0, platform.runner_log()[-2000:]
        applied_before_restore = _inbox_size(platform.data / "reporting.db")
        for leftover in ("reporting.db-wal", "reporting.db-shm"):
            (platform.data / leftover).unlink(missing_ok=True)
        (platform.data / "reporting.db").write_bytes(backup.read_bytes())
        in_backup = _inbox_size(platform.data / "reporting.db")
        assert in_backup < applied_before_restore, "the backup lacks nothing: the test proves nothing"
        platform.start_runner()
        time.sleep(WORK_AFTER_RESTORE_S)
    finally:
        done.set()
        for worker in workers:
            worker.join(300)
    assert not scenario.errors, scenario.errors[:10]
    assert client.counts["failed"] == 0

    print(f"restore: restored and worked on, quiet from {time.monotonic() - began:.0f} s")
    group = wait_quiet(platform)
    pipeline = nothing_lost(platform, group)
    headers = admin_headers(client)
    sources = Sources(client, headers, platform.data, THRESHOLD)
    handled = handled_types()
    compared, wrong = 0, []
    for commune in sources.communes():
        count, diffs = differences(sources.expected(commune, handled),
                                   client.get(f"/reporting/api/v1/communes/{commune}/dashboard", headers))
        compared += count
        wrong += [f"{commune} {d}" for d in diffs]
    print(f"restore: {in_backup} events in the backup, {applied_before_restore} applied when it was restored, "
          f"{pipeline['reporting_inbox']} after; {compared} dashboard figures compared; "
          f"{client.counts['requests']} requests; {time.monotonic() - began:.0f} s")
    assert not wrong, "reporting differs from the sources after the restore:\n" + "\n".join(wrong[:40])


def _inbox_size(database) -> int:
    """Events applied by the database of a stopped platform."""
    with closing(sqlite3.connect(database, timeout=60)) as connection:
        return connection.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
