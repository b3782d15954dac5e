"""The whole platform in one process, for tests: the five services migrated on the test's
databases, their apps, and their outbox relays and consumers driven until the broker is
quiet — the way the embedded runner wires them, without threads.

    platform = Platform.create(settings_env, broker.bootstrap_servers)
    b = seed_commune(platform, platform.b, "coordinator_b")   # data of B in every service
    platform.settle()                                          # relays and consumers, until quiet
"""
from __future__ import annotations

import dataclasses
import html
import io
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.service import ServiceRuntime, Subscription
from tests.events.town import register, token_of, utc
from tests.support.snapshots import database_snapshot
from tests.support.world import World
from tests.surveys.conftest import VALID_ANSWERS
from runner.services import BY_NAME

SERVICES = tuple(BY_NAME)  # in the order the runner starts them
# The broker's smallest session timeout, so a closed consumer's group settles fast.
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000, "max_poll_interval_ms": 10000}
# What an HTTP request of the scenario comes from: residents behind a proxy.
CLIENT_ADDRESS = "203.0.113.197"
FORWARDED_FOR = "198.51.100.83"


@dataclass
class Platform:
    world: World
    runtimes: dict[str, ServiceRuntime]
    bootstrap: str
    consumers: list = field(default_factory=list)
    relays: dict = field(default_factory=dict)
    apps: dict = field(default_factory=dict)

    @classmethod
    def create(cls, env: dict[str, str], bootstrap: str) -> "Platform":
        world = World.create(env)
        runtimes = {"programme": world.runtime}
        for service in SERVICES[1:]:
            runtimes[service] = ServiceRuntime(BY_NAME[service], world.runtime.settings)
            runtimes[service].migrate()
        platform = cls(world, runtimes, bootstrap)
        platform._start_workers()
        platform.settle()
        return platform

    @property
    def a(self) -> str:
        return self.world.commune_a

    @property
    def b(self) -> str:
        return self.world.commune_b

    # -- workers -----------------------------------------------------------------------------
    def _start_workers(self) -> None:
        from reporting.service_layer.generations import consumer_for, state
        for service, runtime in self.runtimes.items():
            self.relays[service] = runtime.relay()
            if service == "reporting":
                with Session(runtime.engine) as session, session.begin():
                    current = state(session)
                    generation, group = current.active_generation, current.active_group
                self.consumers.append(consumer_for(runtime, generation, group, **FAST_GROUP))
                continue
            for subscription in runtime.definition.subscriptions:
                # A group of its own: reads from the start, as a fresh deployment would.
                fresh = dataclasses.replace(subscription, group=f"{subscription.group}-{uuid.uuid4().hex[:8]}")
                self.consumers.append(runtime.consumer(fresh, **FAST_GROUP))

    def settle(self, timeout_s: float = 90.0) -> None:
        """Relay every outbox and consume every topic until nothing moves and every consumer
        has read every partition to its end."""
        deadline = time.monotonic() + timeout_s
        while True:
            moved = sum(self._relay(service) for service in self.runtimes)
            for consumer in self.consumers:
                moved += consumer.poll_once(timeout_ms=50 if consumer.consumer.assignment() else 500)
            if not moved and all(self._caught_up(consumer) for consumer in self.consumers):
                return
            assert time.monotonic() < deadline, "the platform did not settle in time"

    def _relay(self, service: str) -> int:
        published, relay = 0, self.relays[service]
        while count := relay.publish_batch():
            published += count
        return published

    @staticmethod
    def _caught_up(consumer) -> bool:
        kafka = consumer.consumer
        assigned = kafka.assignment()
        if not assigned:
            return False
        ends = kafka.end_offsets(list(assigned))
        return all(kafka.position(partition) >= ends[partition] for partition in assigned)

    def close(self) -> None:
        for consumer in self.consumers:
            consumer.consumer.close(autocommit=False)
            consumer.dead_letters.close()
        for relay in self.relays.values():
            relay.producer.close()

    # -- HTTP --------------------------------------------------------------------------------
    def app(self, service: str):
        if service not in self.apps:
            self.apps[service] = self.runtimes[service].create_app()
        return self.apps[service]

    def client(self, service: str, who: str | None = None):
        """A test client; signed in as `who` (its page session) when given."""
        client = self.app(service).test_client()
        client.environ_base.update({"REMOTE_ADDR": CLIENT_ADDRESS, "HTTP_X_FORWARDED_FOR": FORWARDED_FOR})
        if who is not None:
            with client.session_transaction() as session:
                session["access_token"] = self.world.tokens[who]
        return client

    def csrf(self, service: str, client) -> str:
        """A CSRF token valid for this client's page session, as a form of the app would hold."""
        app = self.app(service)
        with client.session_transaction() as stored:
            with app.test_request_context():
                from flask import session
                session.update(stored)
                token = generate_csrf()
                stored.update(session)
        return token

    def headers(self, who: str) -> dict[str, str]:
        return self.world.headers(who)

    def api(self, service: str, commune: str) -> str:
        return f"/{service}/api/v1/communes/{commune}"

    def call(self, service: str, method: str, path: str, who: str, expect: int | tuple = (200, 201), **kwargs):
        response = self.client(service).open(path, method=method, headers=self.headers(who), **kwargs)
        expected = expect if isinstance(expect, tuple) else (expect,)
        assert response.status_code in expected, (method, path, response.status_code, response.get_data(as_text=True)[:500])
        return response.get_json(silent=True)

    # -- databases ---------------------------------------------------------------------------
    def snapshot(self, service: str) -> dict:
        return database_snapshot(self.runtimes[service].engine)

    def snapshots(self) -> dict[str, dict]:
        return {service: self.snapshot(service) for service in self.runtimes}


# -- a commune's year on the platform ---------------------------------------------------------
@dataclass
class Seeded:
    """What the scenario made in one commune: ids for URLs, and strings to look for."""
    commune: str
    ids: dict[str, object]
    private: dict[str, str]   # name -> text no one outside the commune's staff may ever read
    public: dict[str, str]    # name -> text the commune shows residents (agenda, survey)
    free_texts: list[str] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)  # (name, contact) of residents


def seed_commune(platform: Platform, commune: str, who: str, respondents: int = 7) -> Seeded:
    """A commune with something in every service: plan, survey with answers (free text with
    names and contacts in it), events with registrations and feedback, partners with contact
    persons and notes, all fed to reporting over the broker."""
    mark = uuid.uuid4().hex[:8]
    tag = "".join(c for c in mark if c.isdigit()).ljust(7, "4")[:7]
    ids: dict[str, object] = {"commune": commune}
    private = {
        "theme": f"Thème confidentiel {mark}", "objective": f"Objectif confidentiel {mark}",
        "action": f"Action confidentielle {mark}", "free_text": f"Vœu confidentiel {mark}",
        "named_in_text": f"Josiane Vuilleumier-{mark}", "mail_in_text": f"josiane.{mark}@exemple.ch",
        "phone_in_text": f"078 {tag[:3]} {tag[3:5]} {tag[5:7]}",
        "resident_1": f"Bérénice Beuret-{mark}", "contact_1": f"berenice.{mark}@exemple.ch",
        "resident_2": f"Bastien Boillat-{mark}", "contact_2": f"079 {tag[:3]} {tag[3:5]} {tag[5:7]}",
        "feedback": f"Commentaire confidentiel {mark}", "partner": f"Paroisse confidentielle {mark}",
        "partner_contact": f"Marguerite Cachée-{mark}", "partner_mail": f"marguerite.{mark}@exemple.ch",
        "partner_phone": f"032 {tag[:3]} {tag[3:5]} {tag[5:7]}", "note": f"Note confidentielle {mark}",
        "paper_text": f"Réponse papier confidentielle {mark}",
    }
    # Shown to residents by design: the agenda, and the partner co-organising the event.
    public = {"event": f"Fête du village {mark}", "series": f"Semaine brise-glace {mark}",
              "co_organiser": f"Club des aînés {mark}", "past_event": f"Papotage public {mark}"}
    free_texts = [private["free_text"], private["paper_text"],
                  f"{private['free_text']} : appelez {private['named_in_text']}, {private['mail_in_text']}, "
                  f"{private['phone_in_text']}"]
    seeded = Seeded(commune, ids, private, public, free_texts,
                    [(private["resident_1"], private["contact_1"]), (private["resident_2"], private["contact_2"])])
    _seed_programme(platform, seeded, who)
    _seed_surveys(platform, seeded, who, respondents)
    _seed_partners(platform, seeded, who)
    platform.settle()  # the events service learns the partners from the broker
    _seed_events(platform, seeded, who)
    platform.settle()
    return seeded


def _seed_programme(platform: Platform, seeded: Seeded, who: str) -> None:
    base, private = platform.api("programme", seeded.commune), seeded.private
    theme = platform.call("programme", "POST", f"{base}/themes", who, json={"title": private["theme"]})
    objective = platform.call("programme", "POST", f"{base}/objectives", who,
                              json={"title": private["objective"], "theme_id": theme["id"]})
    action = platform.call("programme", "POST", f"{base}/actions", who,
                           json={"title": private["action"], "objective_id": objective["id"]})
    platform.call("programme", "POST", f"{base}/phases/1/start", who)
    platform.call("programme", "PUT", f"{base}/phases/1/activities/concept", who, json={"done": True})
    seeded.ids.update(objective_id=objective["id"], action_id=action["id"], number=1, key="concept")


def _seed_surveys(platform: Platform, seeded: Seeded, who: str, respondents: int) -> None:
    base = f"{platform.api('surveys', seeded.commune)}/surveys"
    survey = platform.call("surveys", "POST", base, who, json={"template": "qualite-de-vie"})
    survey = platform.call("surveys", "POST", f"{base}/{survey['id']}/publish", who)
    client = platform.client("surveys")
    for number in range(respondents):
        wishes = seeded.free_texts[0] if number == 0 else seeded.free_texts[2] if number == 1 else "Plus de bancs."
        answers = {**VALID_ANSWERS, "wishes": wishes,
                   # one lonely answer: a group of one that published results must never show
                   "neighbour_network": "wide" if number == 0 else "restricted",
                   "age_band": "age_80_plus" if number == 0 else "age_45_64"}
        response = client.post(f"/surveys/api/v1/public/{survey['token']}/responses", json={"answers": answers})
        assert response.status_code == 201, response.get_data(as_text=True)
    platform.call("surveys", "POST", f"{base}/{survey['id']}/responses", who,
                  json={"answers": {**VALID_ANSWERS, "wishes": seeded.free_texts[1]}})
    platform.call("surveys", "POST", f"{base}/{survey['id']}/close", who)
    snapshot = None
    if respondents + 1 >= platform.runtimes["surveys"].settings.anonymity_threshold:  # else refused, rightly
        snapshot = platform.call("surveys", "POST", f"{base}/{survey['id']}/snapshot", who,
                                 json={"questions": ["neighbour_network", "age_band", "quality_of_life"]})
    seeded.ids.update(survey_id=survey["id"], survey_token=survey["token"], snapshot=snapshot)
    seeded.private["survey_token"] = survey["token"]  # a link the commune hands out, not a URL anyone finds


def _seed_partners(platform: Platform, seeded: Seeded, who: str) -> None:
    base, private = platform.api("partners", seeded.commune), seeded.private
    parish = platform.call("partners", "POST", f"{base}/partners", who,
                           json={"name": private["partner"], "kind": "parish"})
    club = platform.call("partners", "POST", f"{base}/partners", who,
                         json={"name": seeded.public["co_organiser"], "kind": "club"})
    contact = platform.call("partners", "POST", f"{base}/partners/{parish['id']}/contacts", who,
                            json={"name": private["partner_contact"], "email": private["partner_mail"],
                                  "phone": private["partner_phone"]})
    note = platform.call("partners", "POST", f"{base}/partners/{parish['id']}/notes", who,
                         json={"happened_on": "2026-01-05", "summary": private["note"]})
    link = platform.call("partners", "POST", f"{base}/links", who,
                         json={"partner_id": parish["id"], "target_type": "partner", "target_id": club["id"],
                               "relation": "works_with"})
    preview = platform.call("partners", "POST", f"{base}/imports", who, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(f"Nom;Type\nLudothèque {private['partner']};Association\n"
                                                      .encode()), "import.csv")})
    seeded.ids.update(partner_id=parish["id"], contact_id=contact["id"], note_id=note["id"], link_id=link["id"],
                      import_id=preview["import_id"], file_format="csv", club_id=club["id"])


def _seed_events(platform: Platform, seeded: Seeded, who: str) -> None:
    base, public = platform.api("events", seeded.commune), seeded.public
    series = platform.call("events", "POST", f"{base}/series", who, json={"title": public["series"]})
    starts = utc(days=7)
    event = platform.call("events", "POST", f"{base}/events", who, json={
        "kind": "brise_glace", "title": public["event"], "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(), "place_name": "Préau de l'école", "phase": 2,
        "series_id": series["id"], "registration_required": True, "capacity": 30,
        "partner_ids": [seeded.ids["club_id"]]})
    client = platform.client("events")
    tokens = [token_of(register(client, seeded.commune, event["id"], name=name, contact=contact))
              for name, contact in seeded.people]
    registrations = platform.call("events", "GET", f"{base}/events/{event['id']}/registrations", who)
    past = _past_event(platform, seeded.commune, public["past_event"])
    feedback_token = platform.call("events", "GET", f"{base}/events/{past}", who)["feedback_token"]
    page = f"/events/feedback/{feedback_token}"
    sent = client.post(page, data={"csrf_token": platform.csrf("events", client), "satisfaction": "4",
                                   "met_someone_new": "true", "comment": seeded.private["feedback"]})
    assert sent.status_code == 303, sent.get_data(as_text=True)[:3000]
    seeded.ids.update(event_id=event["id"], series_id=series["id"], registration_id=registrations[0]["id"],
                      registration_token=tokens[0], feedback_token=feedback_token, event_starts=starts,
                      past_event_id=past)
    seeded.private.update(registration_token=tokens[0], feedback_token=feedback_token)


def _past_event(platform: Platform, commune: str, title: str) -> str:
    """An event that took place two days ago (scheduled before it, as staff would have)."""
    from events.service_layer import handlers
    ends = utc(days=-2)
    with platform.runtimes["events"].unit_of_work() as uow:
        row = handlers.schedule_event(uow, commune, now=ends - timedelta(days=12), kind="papotage", title=title,
                                      starts_at=ends - timedelta(hours=2), ends_at=ends, place_name="Salle",
                                      phase=2, registration_required=False)
    return row.id


def rows_containing(platform: Platform, needles: list[str]) -> list[tuple[str, str, str]]:
    """(service, table, needle) for every database row that holds one of the needles."""
    found = []
    for service, tables in platform.snapshots().items():
        for table, rows in tables.items():
            text = repr(rows)
            found += [(service, table, needle) for needle in needles if needle in text]
    return found


# -- every route, aimed at one commune -----------------------------------------------------------
def routes(platform: Platform):
    """(service, endpoint, rule, method) of every route of every app."""
    for service in SERVICES:
        for rule in platform.app(service).url_map.iter_rules():
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield service, rule.endpoint, rule, method


def placeholders(platform: Platform, b: Seeded) -> dict:
    """URL values that aim at B's resources, by (service, endpoint, argument), (endpoint,
    argument), (service, argument) or argument."""
    regional = platform.call("partners", "POST", "/partners/api/v1/regional-partners", "regional",
                             json={"name": "Caritas Jura", "kind": "social_service"})
    gate = platform.call("reporting", "GET", "/reporting/api/v1/region/gates", "regional")[0]["key"]
    ids = b.ids
    return {
        "commune": b.commune, "filename": "asp.css",
        **{("surveys", name): ids[name] for name in ("survey_id",)},
        ("surveys", "token"): ids["survey_token"], ("surveys", "key"): "qualite-de-vie",
        ("surveys", "kind"): "png", ("surveys", "transition"): "close",
        **{("programme", name): ids[name] for name in ("objective_id", "action_id", "number", "key")},
        ("programme", "transition"): "complete", ("programme", "kind"): "objectives",
        **{("events", name): ids[name] for name in ("series_id", "registration_id")},
        ("events", "event_id"): [ids["event_id"], ids["past_event_id"]],  # registrations; feedback
        ("events_public.registration", "token"): ids["registration_token"],
        ("events_public.cancel_registration", "token"): ids["registration_token"],
        ("events_public.feedback", "token"): ids["feedback_token"],
        **{("partners", name): ids[name] for name in ("partner_id", "contact_id", "note_id", "link_id",
                                                       "import_id", "file_format")},
        ("regional.RegionalPartner", "partner_id"): regional["id"],
        ("partners_pages.regional_edit", "partner_id"): regional["id"],
        ("reporting", "key"): gate,
        **{(service, "service_assets", "filename"): f"{service}.css" for service in SERVICES},
    }


def fill(values: dict, service: str, endpoint: str, rule, commune: str | None = None) -> list[str]:
    """The rule's URLs aimed at B (one per value, where B has several things of a kind)."""
    def value(name: str):
        if name == "commune" and commune is not None:
            return commune
        for key in ((service, endpoint, name), (endpoint, name), (service, name), name):
            if key in values:
                return values[key]
        pytest.fail(f"{service} route {rule.rule} ({endpoint}) has a URL argument <{name}> this test does "
                    f"not know: add B's value for it to placeholders()", pytrace=False)
    urls = [rule.rule]
    for match in re.finditer(r"<(?:[^:>]+:)?(\w+)>", rule.rule):
        found = value(match.group(1))
        urls = [url.replace(match.group(0), str(one)) for url in urls
                for one in (found if isinstance(found, list) else [found])]
    return urls


# -- finding what must not show ------------------------------------------------------------------
def forms_of(text: str) -> set[str]:
    """A marker as it may be written in a body: as is, JSON-escaped, HTML-escaped."""
    return {text, json.dumps(text)[1:-1], html.escape(text), html.escape(text, quote=False)}


def shown(response, markers: dict[str, str]) -> set[str]:
    if response is None:
        return set()
    seen = (response.get_data().decode("utf-8", "replace") + "\n"
            + "\n".join(f"{k}: {v}" for k, v in response.headers.items()))
    return {name for name, text in markers.items() if any(form in seen for form in forms_of(text))}
