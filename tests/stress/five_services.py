"""All five services on one set of databases, for the hostile-input proofs.

Communes A and B with their staff's tokens (tests.support.world), a few records of each
kind in A made through the services' own JSON APIs, and the events between services
delivered in-process through each service's own consumer handlers. No broker round trip:
these tests are about what HTTP input does, not about transport (that is the faults part).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from unittest import mock

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.contracts import parse
from shared.service import ServiceRuntime
from tests.support.world import World
from runner.services import BY_NAME

SERVICES = tuple(BY_NAME)  # in the order the runner starts them
# Generous limits while a test fires hundreds of requests from one address; the tests of the
# limits themselves build their apps with the real defaults.
UNLIMITED = {"ASP_PUBLIC_RATE_LIMIT": "1000000/minute", "ASP_LOGIN_RATE_LIMIT": "1000000/minute"}


class Platform:
    def __init__(self, env: dict[str, str], app_environment: dict[str, str] | None = None):
        self.world = World.create(env)
        self.commune_a, self.commune_b = self.world.commune_a, self.world.commune_b
        settings = self.world.runtime.settings
        self.runtimes = {"programme": self.world.runtime}
        for name in SERVICES[1:]:
            runtime = ServiceRuntime(BY_NAME[name], settings)
            runtime.migrate()
            self.runtimes[name] = runtime
        self.app_environment = app_environment or {}
        self._apps: dict = {}
        self._delivered: set[tuple[str, str]] = set()
        self.deliver()
        self.known: dict[str, object] = {}

    # -- HTTP -------------------------------------------------------------------------------
    def app(self, name: str):
        if name not in self._apps:
            with mock.patch.dict(os.environ, self.app_environment):
                self._apps[name] = self.runtimes[name].create_app()
        return self._apps[name]

    def client(self, name: str):
        return self.app(name).test_client()

    def headers(self, who: str = "coordinator_a") -> dict[str, str]:
        return self.world.headers(who)

    def api(self, name: str, commune: str | None = None) -> str:
        return f"/{name}/api/v1/communes/{commune or self.commune_a}"

    @contextmanager
    def signed_in(self, name: str, who: str = "coordinator_a"):
        """A test client with the page session the programme's login would leave."""
        client = self.client(name)
        with client.session_transaction() as session:
            session["access_token"] = self.world.tokens[who]
        yield client

    # -- events between services ------------------------------------------------------------
    def _subscribers(self) -> dict[str, tuple[dict, object]]:
        found = {}
        for name in SERVICES[1:]:
            runtime = self.runtimes[name]
            if name == "reporting":  # its handlers belong to the active read-model generation
                from reporting.service_layer.generations import active_generation
                from reporting.service_layer.projections import Projector
                with Session(runtime.engine) as session, session.begin():
                    projector = Projector(active_generation(session))
                found[name] = (projector.handlers(), projector.flush)
            else:
                subscription = runtime.definition.subscriptions[0]
                found[name] = (subscription.handlers, subscription.before_commit)
        return found

    def deliver(self) -> None:
        """Apply every event of every outbox not yet applied, in order, to each subscriber."""
        subscribers = self._subscribers()
        for source in SERVICES:
            runtime = self.runtimes[source]
            outbox = runtime.definition.outbox
            with Session(runtime.engine) as session:
                bodies = session.execute(select(outbox.c.body).order_by(outbox.c.id)).scalars().all()
            for event in map(parse, bodies):
                for target, (handlers, before_commit) in subscribers.items():
                    key = (target, str(event.event_id))
                    if key in self._delivered or event.type not in handlers:
                        continue
                    with Session(self.runtimes[target].engine) as session, session.begin():
                        handlers[event.type](session, event)
                        if before_commit:
                            before_commit(session)
                    self._delivered.add(key)

    # -- records in commune A ---------------------------------------------------------------
    def _post(self, service: str, path: str, body: dict | None = None, status: int = 201) -> dict:
        response = self.client(service).post(path, json=body, headers=self.headers())
        assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True))
        return response.get_json()

    def seed(self) -> "Platform":
        """One of each: theme, objective, action, survey (published), partner, contact, note,
        event open for registration with one registration. Their ids go to self.known."""
        programme, surveys = self.api("programme"), self.api("surveys")
        events, partners = self.api("events"), self.api("partners")
        theme = self._post("programme", f"{programme}/themes", {"title": "Voisinage"})
        objective = self._post("programme", f"{programme}/objectives",
                               {"title": "Se connaître entre voisins", "theme_id": theme["id"]})
        action = self._post("programme", f"{programme}/actions",
                            {"title": "Fête des voisins", "objective_id": objective["id"]})
        survey = self._post("surveys", f"{surveys}/surveys", {"template": "qualite-de-vie"})
        published = self._post("surveys", f"{surveys}/surveys/{survey['id']}/publish", status=200)
        partner = self._post("partners", f"{partners}/partners",
                             {"name": "Pro Senectute Arc jurassien", "kind": "association"})
        contact = self._post("partners", f"{partners}/partners/{partner['id']}/contacts",
                             {"name": "Anne Exemple"})
        note = self._post("partners", f"{partners}/partners/{partner['id']}/notes",
                          {"happened_on": "2026-02-01", "summary": "Premier contact"})
        starts = datetime.now(timezone.utc) + timedelta(days=7)
        event = self._post("events", f"{events}/events", {
            "kind": "brise_glace", "title": "Apéro de quartier", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(), "place_name": "Préau de l'école",
            "phase": 2, "registration_required": True, "capacity": 40})
        registration = self._post("events", f"{events}/events/{event['id']}/registrations",
                                  {"name": "Jean Exemple", "party_size": 2})
        self.deliver()
        self.known = {
            "theme_id": theme["id"], "objective_id": objective["id"], "action_id": action["id"],
            "survey_id": survey["id"], "token": published["token"] if "token" in published else
            _survey_token(published), "partner_id": partner["id"], "contact_id": contact["id"],
            "note_id": note["id"], "event_id": event["id"], "registration_id": registration["id"],
        }
        return self


def _survey_token(published: dict) -> str:
    """The public token from the published survey's public address."""
    for value in published.values():
        if isinstance(value, str) and "/s/" in value:
            return value.rstrip("/").rsplit("/", 1)[-1]
    raise AssertionError(f"no public token in {published}")
