"""The two stacks bench/backbone.py, bench/survey_ingest.py and bench/reporting.py measure side
by side in one run, and the `--stacks` option that chooses them:

    embedded          the embedded noida-db broker and SQLite files: `make run`'s stack
    kafka_postgresql  Apache Kafka's own 3-node KRaft cluster (replication factor 3,
                      min.insync.replicas=2) and PostgreSQL: production's stack

`--stacks embedded,kafka` (the default: both, one after the other) or either alone for a quick
check. Each bench prints one JSON object whose figures sit under each stack's key
(`{"embedded": {...}, "kafka_postgresql": {...}}`), with the same keys under both.

The broker is started by shared/messaging/local_broker.py (Apache Kafka's jars are fetched by
Maven on first use; a 3-node cluster takes 20-30 s to start on 2 cores), the databases are made
and dropped by the tests' factory (tests/support/databases.py), and PostgreSQL is started by
deploy/local/postgres.sh when it does not answer (idempotent; it needs root only to install or
start it). Everything started is stopped, and every database dropped, by the ExitStack given.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # tests.support is not an installed package
    sys.path.append(str(REPO))

from shared.messaging.local_broker import local_broker  # noqa: E402
from tests.support.databases import DEFAULT_POSTGRES, DatabaseFactory  # noqa: E402

KAFKA_NODES = 3
POSTGRES_ADMIN_ENV = "ASP_TEST_POSTGRES_URL"  # the tests' variable: the same server by default


@dataclass(frozen=True)
class Stack:
    option: str        # its name in --stacks
    key: str           # its key in the JSON
    broker_kind: str   # local_broker's kind
    database: str      # sqlite | postgresql
    broker: str        # for people
    database_name: str

    @property
    def describe(self) -> str:
        return f"{self.broker} + {self.database_name}"


STACKS = {
    "embedded": Stack("embedded", "embedded", "embedded", "sqlite", "noida-db (embedded)", "SQLite (WAL)"),
    "kafka": Stack("kafka", "kafka_postgresql", "kafka", "postgresql",
                   f"Apache Kafka, {KAFKA_NODES} nodes (KRaft, RF 3, min ISR 2)", "PostgreSQL"),
}


def add_stacks_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stacks", default="embedded,kafka", type=_stacks,
                        help="embedded (noida-db + SQLite) and/or kafka (3-node Apache Kafka + PostgreSQL), "
                             "comma-separated, measured one after the other (default: both)")


def _stacks(value: str) -> list[Stack]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in STACKS]
    if unknown or not names or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"{value!r}: embedded, kafka or embedded,kafka")
    return [STACKS[name] for name in names]


def load() -> float:
    return round(os.getloadavg()[0], 2)


@dataclass
class Running:
    """One stack, started: its broker's address, and new databases on demand."""
    stack: Stack
    bootstrap: str
    databases: DatabaseFactory
    folder: Path
    load_at_start: float

    @property
    def embedded_broker(self) -> bool:
        """Its clients then use the embedded broker's workarounds, as `make run`'s do."""
        return self.stack.broker_kind == "embedded"

    @property
    def client_env(self) -> dict[str, str]:
        return {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "ASP_EMBEDDED_BROKER": "1" if self.embedded_broker else "0"}

    def database(self, service: str, folder: Path | None = None) -> str:
        """A new, empty database's URL: a SQLite file in `folder`, or a PostgreSQL database
        dropped when the stack stops."""
        return self.databases.new(service, folder or self.folder)

    def figures(self, **measured) -> dict:
        """The stack's JSON object: what it is, the load average at its start and end, the figures."""
        return {"broker": self.stack.broker, "database": self.stack.database,
                "load_at_start": self.load_at_start, "load_at_end": load(), **measured}


def start(stack: Stack, folder: Path, exit_stack: ExitStack) -> Running:
    """The stack's broker (started) and database factory; `exit_stack` stops and drops them."""
    load_at_start = load()  # before the stack's own start raises it
    folder.mkdir(parents=True, exist_ok=True)
    factory = DatabaseFactory(postgres_admin() if stack.database == "postgresql" else None)
    exit_stack.callback(factory.drop_all)
    broker = local_broker(folder / "broker", kind=stack.broker_kind, nodes=KAFKA_NODES)
    exit_stack.callback(broker.stop)  # registered first: Ctrl-C while it starts must stop it too
    broker.start()
    return Running(stack, broker.bootstrap_servers, factory, folder, load_at_start)


def postgres_admin() -> str:
    """The admin URL of the PostgreSQL the tests use; deploy/local/postgres.sh starts the local one."""
    import psycopg
    url = os.environ.get(POSTGRES_ADMIN_ENV, DEFAULT_POSTGRES)
    try:
        psycopg.connect(url, connect_timeout=5).close()
        return url
    except psycopg.OperationalError as error:
        if url != DEFAULT_POSTGRES:
            raise SystemExit(f"PostgreSQL is not reachable at {url} ({POSTGRES_ADMIN_ENV}): {error}")
    subprocess.run([str(REPO / "deploy" / "local" / "postgres.sh")], check=True, stdout=sys.stderr)
    return url
