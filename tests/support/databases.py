"""A fresh database per service per test: SQLite files, or PostgreSQL databases."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


class DatabaseFactory:
    def __init__(self, postgres_admin_url: str | None):
        self.postgres_admin_url = postgres_admin_url
        self.created: list[str] = []

    @classmethod
    def from_environment(cls) -> "DatabaseFactory":
        if os.environ.get("ASP_TEST_DATABASE", "sqlite") != "postgresql":
            return cls(None)
        url = os.environ.get("ASP_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
        try:
            with psycopg.connect(url, connect_timeout=5):
                pass
        except psycopg.OperationalError as exc:
            raise RuntimeError(f"ASP_TEST_DATABASE=postgresql but PostgreSQL is not reachable at {url}: {exc}")
        return cls(url)

    @property
    def kind(self) -> str:
        return "postgresql" if self.postgres_admin_url else "sqlite"

    def new(self, service: str, folder: Path) -> str:
        if self.postgres_admin_url is None:
            folder.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{folder / (service + '.db')}"
        name = f"asp_test_{service}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.postgres_admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base = self.postgres_admin_url.rsplit("/", 1)[0]
        return f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"

    def drop_all(self) -> None:
        if not self.postgres_admin_url:
            return
        with psycopg.connect(self.postgres_admin_url, autocommit=True) as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
