"""The broker a run on one machine starts: the embedded one, or Apache Kafka itself.

`ASP_BROKER` chooses: `embedded` (the default: noida-db, pure pip, for a machine without
Java) or `kafka` (Apache Kafka's own jars, the reference; needs Java 17 and Maven).
`ASP_KAFKA_NODES` sets the Kafka cluster's size: 1 (quick) or 3 (production-like).
`make run`, the tests, the benches and the production-like run all start theirs here.
"""
from __future__ import annotations

import os
from pathlib import Path

from shared.messaging.apache_kafka import KafkaCluster
from shared.messaging.embedded_broker import EmbeddedBroker, free_port

KINDS = ("embedded", "kafka")


def broker_kind(env: dict[str, str] | None = None) -> str:
    kind = (env if env is not None else os.environ).get("ASP_BROKER", "embedded").strip() or "embedded"
    if kind not in KINDS:
        raise ValueError(f"ASP_BROKER={kind!r}: one of {', '.join(KINDS)}")
    return kind


def kafka_nodes(env: dict[str, str] | None = None, default: int = 1) -> int:
    value = (env if env is not None else os.environ).get("ASP_KAFKA_NODES", "").strip()
    if value not in ("", "1", "3"):
        raise ValueError(f"ASP_KAFKA_NODES={value!r}: 1 or 3")
    return int(value) if value else default


def broker_folder(data_dir: Path, kind: str | None = None) -> Path:
    """Where `make run` keeps its broker's data: one folder per kind, never mixed."""
    return data_dir / ("kafka" if (kind or broker_kind()) == "kafka" else "broker")


def local_broker(folder: Path, port: int | None = None, kind: str | None = None,
                 nodes: int | None = None, log_path: Path | None = None) -> EmbeddedBroker | KafkaCluster:
    """Not started yet: `.start()`, `.stop()`, `.kill()`, `.bootstrap_servers` on either.
    `port` is the (first) node's client port; a free one by default."""
    if (kind or broker_kind()) == "kafka":
        size = nodes or kafka_nodes()
        ports = None if port is None else [port] + [free_port() for _ in range(size - 1)]
        return KafkaCluster(folder, nodes=size, ports=ports)
    return EmbeddedBroker(folder, port=port, log_path=log_path)

