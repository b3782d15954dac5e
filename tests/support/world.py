"""A small programme world for tests: two communes (A and B), their staff, their tokens."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from shared.config import load_settings
from shared.http.auth import TokenIssuer
from shared.service import ServiceRuntime

from programme.bootstrap import definition as programme_definition
from programme.service_layer import handlers


@dataclass
class World:
    runtime: ServiceRuntime
    commune_a: str
    commune_b: str
    tokens: dict[str, str]

    @classmethod
    def create(cls, env: dict[str, str]) -> "World":
        settings = load_settings(env)
        runtime = ServiceRuntime(programme_definition, settings)
        runtime.migrate()
        suffix = uuid.uuid4().hex[:8]
        a, b = f"a-{suffix}", f"b-{suffix}"
        for slug, name in ((a, "Commune A"), (b, "Commune B")):
            with runtime.unit_of_work() as uow:
                handlers.onboard_commune(uow, slug, name, "JU", 1000, date(2026, 1, 5))
        issuer = TokenIssuer(settings)
        tokens = {
            "regional": issuer.issue("1", "regional_admin", [], "region@test.example"),
            "coordinator_a": issuer.issue("2", "coordinator", [a], "coord-a@test.example"),
            "viewer_a": issuer.issue("3", "viewer", [a], "viewer-a@test.example"),
            "coordinator_b": issuer.issue("4", "coordinator", [b], "coord-b@test.example"),
        }
        return cls(runtime, a, b, tokens)

    def app(self):
        if not hasattr(self, "_app"):
            self._app = self.runtime.create_app()
        return self._app

    def client(self):
        return self.app().test_client()

    def headers(self, who: str, language: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if language:
            headers["Accept-Language"] = language
        return headers
