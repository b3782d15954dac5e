"""One PostgreSQL database and one role per service, as in production: the role owns its
database and no other role may connect to it. (deploy/docker/postgres-init.sh does the
same for the compose file.)"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from prodrun.topology import services


def _check(prefix: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", prefix):
        raise ValueError(f"database prefix {prefix!r}: lower-case letters, digits and _ only")
    return prefix


def ensure_service_databases(admin_url: str, prefix: str) -> dict[str, str]:
    """Create what is missing; returns each service's SQLAlchemy URL (its own role)."""
    location = urlsplit(admin_url)
    urls = {}
    with psycopg.connect(admin_url, autocommit=True) as connection:
        for service in services():
            name = _check(prefix) + service
            identifier = sql.Identifier(name)
            if not connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(identifier))
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(identifier, identifier))
                connection.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(identifier))
            urls[service] = f"postgresql+psycopg://{name}@{location.hostname}:{location.port or 5432}/{name}"
    return urls


def drop_service_databases(admin_url: str, prefix: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        for service in services():
            identifier = sql.Identifier(_check(prefix) + service)
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(identifier))
