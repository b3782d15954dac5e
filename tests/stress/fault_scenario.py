"""What the communes do during the fault run, through the HTTP APIs only.

Each commune is onboarded by the regional admin with a coordinator account, then its
coordinator works at random (seeded): the checklist and the phases, themes, objectives
and actions, quality-of-life surveys answered online (the public link) and on paper,
events with registrations, attendance and feedback, partners and their status. What was
acknowledged is remembered so the end can check that no acknowledged write was lost.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from tests.stress.fault_client import Client

ANSWERS = {
    "neighbour_network": ("very_restricted", "restricted", "medium", "wide", "very_wide"),
    "neighbour_interaction_frequency": ("daily", "weekly", "monthly", "few_times_a_year", "never"),
    "interaction_places": ("street", "shops", "public_transport", "school", "cafe"),
    "interaction_duration": ("few_minutes", "up_to_15_minutes", "up_to_1_hour", "more_than_1_hour"),
    "local_politics_interest": (1, 2, 3, 4, 5),
}
KINDS = ("papotage", "brise_glace", "forum_citoyen", "atelier", "other")
PARTNER_KINDS = ("association", "school", "parish", "business")
PARTNER_STATUSES = ("identified", "contacted", "engaged", "active", "inactive")
ACTION_STATUSES = ("planned", "in_progress", "done", "abandoned")


@dataclass
class Commune:
    slug: str
    headers: dict = field(default_factory=dict)
    surveys: list = field(default_factory=list)      # dicts: id, token, status
    events: list = field(default_factory=list)       # dicts: id, starts, status
    partners: list = field(default_factory=list)     # ids
    themes: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    acked: Counter = field(default_factory=Counter)  # acknowledged creations by kind
    acked_names: dict = field(default_factory=dict)  # kind -> names acknowledged
    responses: Counter = field(default_factory=Counter)            # survey id -> acknowledged answers
    responses_ambiguous: Counter = field(default_factory=Counter)  # survey id -> answers retried blind


class Scenario:
    def __init__(self, client: Client, seed: int, communes: int):
        self.client = client
        self.random = random.Random(seed)
        self.communes = [Commune(f"fault-{seed % 10000}-{n}") for n in range(communes)]
        self.errors: list[str] = []
        self.answers: Counter = Counter()   # answer status by action, for the report
        self._lock = threading.Lock()

    # -- onboarding --------------------------------------------------------------------------
    def onboard(self) -> None:
        c = self.client
        _, token = c.call("POST", "/programme/api/v1/auth/token", {"email": "region@asp.example", "password": "demo"})
        admin = {"Authorization": f"Bearer {token['access_token']}"}
        for n, commune in enumerate(self.communes):
            body = {"slug": commune.slug, "name": f"Commune {commune.slug}", "canton": "JU",
                    "population": 400 + 150 * n, "onboarded_on": "2026-01-05"}
            status, _ = c.call("POST", "/programme/api/v1/communes", body, admin,
                               already_there=lambda s=commune.slug: self._found(f"/programme/api/v1/communes/{s}", admin))
            assert status in (201, 409), status
            email = f"coordination@{commune.slug}.example"
            status, _ = c.call("POST", "/programme/api/v1/accounts",
                               {"email": email, "display_name": "Coordination", "password": "coordination-2026",
                                "role": "coordinator", "communes": [commune.slug]}, admin,
                               already_there=lambda e=email: self._account(e, admin))
            assert status in (201, 409), status
            status, token = c.call("POST", "/programme/api/v1/auth/token",
                                   {"email": email, "password": "coordination-2026"})
            assert status == 200, (status, token)
            commune.headers = {"Authorization": f"Bearer {token['access_token']}"}
        for commune in self.communes:  # the other services learn of it from programme's events
            for path in (f"/surveys/api/v1/communes/{commune.slug}/surveys",
                         f"/events/api/v1/communes/{commune.slug}/events",
                         f"/partners/api/v1/communes/{commune.slug}/partners"):
                deadline = time.monotonic() + 120
                while c.call("GET", path, headers=commune.headers)[0] != 200:
                    assert time.monotonic() < deadline, f"{path}: the commune never became known"
                    time.sleep(0.3)

    def _found(self, path: str, headers: dict):
        status, body = self.client.once("GET", path, headers=headers)
        if status in (502, 503, 504):
            raise OSError(f"{status}")
        return body if status == 200 else None

    def _account(self, email: str, admin: dict):
        accounts = self._found("/programme/api/v1/accounts", admin) or []
        return next((a for a in accounts if a["email"] == email), None)

    def _named(self, path: str, headers: dict, key: str, value):
        """The item of a list whose `key` is `value`, or None: the read-back before a retry."""
        items = self._found(path, headers) or []
        return next((item for item in items if _text(item.get(key)) == value), None)

    # -- working -----------------------------------------------------------------------------
    def work(self, commune: Commune, until: threading.Event, seed: int) -> None:
        rnd = random.Random(seed)
        actions = [(self.checklist, 3), (self.phase, 1), (self.theme, 1), (self.objective, 1),
                   (self.action, 2), (self.action_status, 2), (self.survey, 1), (self.answer_online, 12),
                   (self.answer_on_paper, 5), (self.close_survey, 1), (self.event, 3), (self.register, 6),
                   (self.attendance, 3), (self.feedback, 4), (self.cancel_event, 1), (self.partner, 2),
                   (self.partner_status, 3)]
        functions, weights = zip(*actions)
        while not until.is_set():
            action = rnd.choices(functions, weights)[0]
            try:
                status = action(commune, rnd)
            except Exception as error:  # noqa: BLE001 — reported at the end, fails the test
                with self._lock:
                    self.errors.append(f"{commune.slug} {action.__name__}: {error!r}")
                continue
            with self._lock:
                self.answers[f"{action.__name__}:{status}"] += 1

    def _call(self, commune: Commune, method: str, path: str, body=None, **retry):
        return self.client.call(method, path, body, commune.headers, **retry)

    def _acked(self, commune: Commune, kind: str, name=None) -> None:
        commune.acked[kind] += 1
        if name is not None:
            commune.acked_names.setdefault(kind, set()).add(name)

    def checklist(self, commune: Commune, rnd) -> int:
        phase, key = rnd.choice(((1, "working_group"), (1, "concept"), (1, "negotiation"), (1, "authorities"),
                                 (2, "public_chats"), (2, "survey"), (2, "ice_breaker_week")))
        status, _ = self._call(commune, "PUT", f"/programme/api/v1/communes/{commune.slug}/phases/{phase}"
                                               f"/activities/{key}", {"done": rnd.random() < 0.7})
        return status

    def phase(self, commune: Commune, rnd) -> int:
        number, verb = rnd.randint(1, 5), rnd.choice(("start", "complete", "start", "complete", "reopen"))
        status, _ = self._call(commune, "POST", f"/programme/api/v1/communes/{commune.slug}/phases/{number}/{verb}")
        return status

    def _create(self, commune: Commune, kind: str, path: str, body: dict, key: str, value: str, into: list):
        status, created = self._call(commune, "POST", path, body,
                                     already_there=lambda: self._named(path, commune.headers, key, value))
        if status == 201:
            into.append(created["id"])
            self._acked(commune, kind, value)
        return status, created

    def theme(self, commune: Commune, rnd) -> int:
        title = f"Axe {len(commune.themes) + 1} {rnd.randrange(10**6)}"
        return self._create(commune, "themes", f"/programme/api/v1/communes/{commune.slug}/themes",
                            {"title": title}, "title", title, commune.themes)[0]

    def objective(self, commune: Commune, rnd) -> int:
        title = f"Objectif {rnd.randrange(10**6)}"
        body = {"title": title}
        if rnd.random() < 0.6:
            body.update(indicator=rnd.choice(("network_restricted_share", "participation_rate")),
                        baseline=rnd.choice((None, 0.25)), target=rnd.choice((None, 0.15)))
        if commune.themes and rnd.random() < 0.8:
            body["theme_id"] = rnd.choice(commune.themes)
        return self._create(commune, "objectives", f"/programme/api/v1/communes/{commune.slug}/objectives",
                            body, "title", title, commune.objectives)[0]

    def action(self, commune: Commune, rnd) -> int:
        title = f"Action {rnd.randrange(10**6)}"
        body = {"title": title, "status": rnd.choice(ACTION_STATUSES)}
        if commune.objectives and rnd.random() < 0.8:
            body["objective_id"] = rnd.choice(commune.objectives)
        if commune.partners and rnd.random() < 0.5:
            body["partner_ids"] = [rnd.choice(commune.partners)]
        if rnd.random() < 0.5:
            body["due_on"] = f"2027-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}"
        return self._create(commune, "actions", f"/programme/api/v1/communes/{commune.slug}/actions",
                            body, "title", title, commune.actions)[0]

    def action_status(self, commune: Commune, rnd) -> int:
        if not commune.actions:
            return self.action(commune, rnd)
        status, _ = self._call(commune, "PATCH", f"/programme/api/v1/communes/{commune.slug}/actions/"
                                                 f"{rnd.choice(commune.actions)}", {"status": rnd.choice(ACTION_STATUSES)})
        return status

    def survey(self, commune: Commune, rnd) -> int:
        path = f"/surveys/api/v1/communes/{commune.slug}/surveys"
        title = f"Qualité de vie {rnd.randrange(10**6)}"
        status, created = self._call(commune, "POST", path, {"template": "qualite-de-vie", "title": {"fr": title}},
                                     already_there=lambda: self._named(path, commune.headers, "title", title))
        if status != 201:
            return status
        self._acked(commune, "surveys", title)
        status, published = self._call(commune, "POST", f"{path}/{created['id']}/publish")
        if status in (200, 409):
            published = self._found(f"{path}/{created['id']}", commune.headers) if status == 409 else published
            if published and published.get("token"):
                commune.surveys.append({"id": created["id"], "token": published["token"], "status": "published"})
        return status

    def _open_survey(self, commune: Commune, rnd):
        open_ = [s for s in commune.surveys if s["status"] == "published"]
        return rnd.choice(open_) if open_ else None

    def _answers(self, rnd, complete: bool) -> dict:
        """Online, every required question is answered; on paper some are left blank."""
        answers = {"neighbours_known_by_name": rnd.randint(0, 20), "quality_of_life": rnd.randint(1, 5),
                   "involvement_wish": rnd.choice(("yes", "maybe", "no"))} if complete else {}
        for question, options in ANSWERS.items():
            if complete or rnd.random() < 0.8:
                answers[question] = ([rnd.choice(options[:4])] if question == "interaction_places"
                                     else rnd.choice(options))
        answers.setdefault("neighbour_network", "medium")
        return answers

    def answer_online(self, commune: Commune, rnd) -> int:
        survey = self._open_survey(commune, rnd)
        if survey is None:
            return self.survey(commune, rnd)
        return self._answer(commune, survey, f"/surveys/api/v1/public/{survey['token']}/responses", rnd, public=True)

    def answer_on_paper(self, commune: Commune, rnd) -> int:
        survey = self._open_survey(commune, rnd)
        if survey is None:
            return self.survey(commune, rnd)
        return self._answer(commune, survey, f"/surveys/api/v1/communes/{commune.slug}/surveys/{survey['id']}"
                                             f"/responses", rnd, public=False)

    def _answer(self, commune: Commune, survey: dict, path: str, rnd, public: bool) -> int:
        def blind_retry():
            commune.responses_ambiguous[survey["id"]] += 1
        status, _ = self.client.call("POST", path, {"answers": self._answers(rnd, complete=public)},
                                     None if public else commune.headers, ambiguous_retry=blind_retry)
        if status == 201:
            commune.responses[survey["id"]] += 1
        if status == 409:
            survey["status"] = "closed"
        return status

    def close_survey(self, commune: Commune, rnd) -> int:
        survey = self._open_survey(commune, rnd)
        if survey is None or rnd.random() < 0.5:
            return 0
        status, _ = self._call(commune, "POST", f"/surveys/api/v1/communes/{commune.slug}/surveys/{survey['id']}/close")
        if status in (200, 409):
            survey["status"] = "closed"
        return status

    def event(self, commune: Commune, rnd) -> int:
        path = f"/events/api/v1/communes/{commune.slug}/events"
        title = f"{rnd.choice(KINDS)} {rnd.randrange(10**6)}"
        starts = datetime.now(timezone.utc) + timedelta(seconds=rnd.uniform(6, 20))
        body = {"kind": title.split()[0], "title": title, "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(), "place_name": "Salle communale",
                "phase": rnd.randint(1, 5), "registration_required": rnd.random() < 0.7,
                "capacity": rnd.choice((None, 8, 30))}
        if commune.partners and rnd.random() < 0.4:
            body["partner_ids"] = [rnd.choice(commune.partners)]
        status, created = self._call(commune, "POST", path, body,
                                     already_there=lambda: self._named(path, commune.headers, "title", title))
        if status == 201:
            self._acked(commune, "events", title)
            commune.events.append({"id": created["id"], "starts": starts.timestamp(), "status": "scheduled"})
        return status

    def _an_event(self, commune: Commune, rnd, started: bool):
        now = time.time()
        chosen = [e for e in commune.events if e["status"] != "cancelled" and (e["starts"] <= now) == started]
        return rnd.choice(chosen) if chosen else None

    def register(self, commune: Commune, rnd) -> int:
        event = self._an_event(commune, rnd, started=False)
        if event is None:
            return self.event(commune, rnd)
        path = f"/events/api/v1/communes/{commune.slug}/events/{event['id']}/registrations"
        name = f"Habitant {rnd.randrange(10**8)}"
        status, _ = self._call(commune, "POST", path, {"name": name, "contact": f"{name.split()[1]}@example.org",
                                                       "party_size": rnd.randint(1, 3)},
                               already_there=lambda: self._named(path, commune.headers, "name", name))
        if status == 201:
            self._acked(commune, "registrations", name)
        return status

    def attendance(self, commune: Commune, rnd) -> int:
        event = self._an_event(commune, rnd, started=True)
        if event is None:
            return 0
        status, _ = self._call(commune, "PUT", f"/events/api/v1/communes/{commune.slug}/events/{event['id']}"
                                               f"/attendance", {"head_count": rnd.randint(0, 40)})
        if status == 200:
            event["status"] = "held"
        return status

    def feedback(self, commune: Commune, rnd) -> int:
        event = self._an_event(commune, rnd, started=True)
        if event is None:
            return 0
        path = f"/events/api/v1/communes/{commune.slug}/events/{event['id']}/feedback"
        comment = f"avis {rnd.randrange(10**8)}"

        def already_there():
            listed = self._found(path, commune.headers) or {}
            return next((a for a in listed.get("answers", []) if a.get("comment") == comment), None)
        status, _ = self._call(commune, "POST", path, {"satisfaction": rnd.randint(1, 5),
                                                       "met_someone_new": rnd.random() < 0.5, "comment": comment},
                               already_there=already_there)
        if status == 201:
            self._acked(commune, "feedback", comment)
        return status

    def cancel_event(self, commune: Commune, rnd) -> int:
        event = self._an_event(commune, rnd, started=False)
        if event is None or rnd.random() < 0.5:
            return 0
        status, _ = self._call(commune, "POST", f"/events/api/v1/communes/{commune.slug}/events/{event['id']}/cancel",
                               {"reason": "Météo"})
        if status in (200, 409):
            event["status"] = "cancelled" if status == 200 else event["status"]
        return status

    def partner(self, commune: Commune, rnd) -> int:
        path = f"/partners/api/v1/communes/{commune.slug}/partners"
        name = f"Société {rnd.randrange(10**6)}"
        return self._create(commune, "partners", path, {"name": name, "kind": rnd.choice(PARTNER_KINDS),
                                                        "status": rnd.choice(PARTNER_STATUSES)},
                            "name", name, commune.partners)[0]

    def partner_status(self, commune: Commune, rnd) -> int:
        if not commune.partners:
            return self.partner(commune, rnd)
        status, _ = self._call(commune, "POST", f"/partners/api/v1/communes/{commune.slug}/partners/"
                                                f"{rnd.choice(commune.partners)}/status",
                               {"status": rnd.choice(PARTNER_STATUSES), "reason": "Point de situation"})
        return status


def _text(value):
    """A title as the API gives it: a plain string, or labels by language."""
    return value.get("fr") if isinstance(value, dict) else value
