"""The platform's users, as bench/soak.py and bench/scale.py play them: the regional staff
onboarding communes, a commune's coordinator at work, residents answering the survey and
registering for an event (the public routes, registration through the HTML form with its
CSRF token, as a browser does), and everyone reading dashboards. Every call goes through the
public HTTP API of `make run`; each returns what the next step needs.
"""
from __future__ import annotations

import random
import re
import time
from datetime import datetime, timedelta, timezone

from _platform import Client, Commune

PROGRAMME, SURVEYS = "/programme/api/v1", "/surveys/api/v1"
EVENTS, PARTNERS, REPORTING = "/events/api/v1", "/partners/api/v1", "/reporting/api/v1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PHASE_1_ACTIVITIES = ("working_group", "concept", "negotiation", "authorities")
ADMIN = ("region@asp.example", "demo")  # the demo's regional admin, seeded by `make run`


def sign_in(client: Client, email: str, password: str) -> str:
    answer = client.call("POST", f"{PROGRAMME}/auth/token", json_body={"email": email, "password": password},
                         require=True)
    return answer.json()["access_token"]


# -- regional staff -------------------------------------------------------------------------------
def onboard(client: Client, admin: str, commune: Commune) -> None:
    client.call("POST", f"{PROGRAMME}/communes", admin, expect=(201,), require=True, json_body={
        "slug": commune.slug, "name": commune.name, "canton": commune.canton, "population": commune.population})


def add_coordinator(client: Client, admin: str, slug: str) -> tuple[str, str]:
    email, password = f"coordination@{slug}.bench.example", f"bench-{slug}"[:60]
    client.call("POST", f"{PROGRAMME}/accounts", admin, expect=(201,), require=True, json_body={
        "email": email, "display_name": f"Coordination {slug}", "password": password,
        "role": "coordinator", "communes": [slug]})
    return email, password


KNOWN_PROBES = {"surveys": f"{SURVEYS}/communes/{{commune}}/surveys", "events": f"{EVENTS}/communes/{{commune}}/events",
                "partners": f"{PARTNERS}/communes/{{commune}}/partners",
                "reporting": f"{REPORTING}/communes/{{commune}}/dashboard"}


def unknown_to(client: Client, admin: str, slug: str, deadline: float) -> str | None:
    """Waits until every service has heard of the commune (from programme's CommuneOnboarded; 404
    until then). None, or the first service that had not by the deadline, with its last answer."""
    for service, path in KNOWN_PROBES.items():
        while (answer := client.call("GET", path, admin, expect=(200, 404), commune=slug)).status != 200:
            if time.monotonic() > deadline:
                return f"{service} ({answer.status}: {answer.body[:200]!r})"
            time.sleep(0.2)
    return None


def region_overview(client: Client, admin: str) -> dict | None:
    answer = client.call("GET", f"{REPORTING}/region/overview", admin)
    return answer.json() if answer.status == 200 else None


# -- a commune's staff ----------------------------------------------------------------------------
def prepare_and_anchor(client: Client, token: str, slug: str) -> None:
    """Phase 1 started, its checklist ticked, completed; phase 2 started."""
    base = f"{PROGRAMME}/communes/{{commune}}/phases"
    client.call("POST", f"{base}/{{number}}/start", token, commune=slug, number=1)
    for activity in PHASE_1_ACTIVITIES:
        client.call("PUT", f"{base}/{{number}}/activities/{{activity}}", token, json_body={"done": True},
                    commune=slug, number=1, activity=activity)
    client.call("POST", f"{base}/{{number}}/complete", token, commune=slug, number=1)
    client.call("POST", f"{base}/{{number}}/start", token, commune=slug, number=2)


def define_theme(client: Client, token: str, slug: str, rng: random.Random) -> int | None:
    answer = client.call("POST", f"{PROGRAMME}/communes/{{commune}}/themes", token, expect=(201,), commune=slug,
                         json_body={"title": rng.choice(("Liens entre voisins", "Vivre ensemble", "Aînés"))})
    return answer.json()["id"] if answer.status == 201 else None


def set_objective(client: Client, token: str, slug: str, rng: random.Random, theme_id: int | None = None) -> bool:
    return client.call("POST", f"{PROGRAMME}/communes/{{commune}}/objectives", token, expect=(201,), commune=slug,
                json_body={"title": "Moins de réseaux restreints", "theme_id": theme_id,
                           "indicator": "network_restricted_share", "baseline": 0.25,
                           "target": rng.choice((0.15, 0.2))}).status == 201


def launch_action(client: Client, token: str, slug: str, rng: random.Random) -> bool:
    return client.call("POST", f"{PROGRAMME}/communes/{{commune}}/actions", token, expect=(201,), commune=slug,
                json_body={"title": rng.choice(("Café des voisins", "Fête de quartier", "Boîte à livres")),
                           "status": rng.choice(("planned", "in_progress"))}).status == 201


def publish_survey(client: Client, token: str, slug: str) -> tuple[int, str]:
    """The quality-of-life survey copied from its template and published: (id, public token)."""
    created = client.call("POST", f"{SURVEYS}/communes/{{commune}}/surveys", token, expect=(201,), require=True,
                          commune=slug, json_body={"template": "qualite-de-vie"}).json()
    published = client.call("POST", f"{SURVEYS}/communes/{{commune}}/surveys/{{survey_id}}/publish", token,
                            require=True, commune=slug, survey_id=created["id"]).json()
    return created["id"], published["token"]


def enter_paper_response(client: Client, token: str, slug: str, survey_id: int, rng: random.Random) -> bool:
    return client.call("POST", f"{SURVEYS}/communes/{{commune}}/surveys/{{survey_id}}/responses", token,
                       expect=(201,), commune=slug, survey_id=survey_id,
                       json_body={"answers": answers(rng)}).status == 201


def read_results(client: Client, token: str, slug: str, survey_id: int) -> None:
    client.call("GET", f"{SURVEYS}/communes/{{commune}}/surveys/{{survey_id}}/results", token,
                commune=slug, survey_id=survey_id)


TITLES = {"papotage": "Papotage au café", "brise_glace": "Brise-glace", "forum_citoyen": "Forum citoyen"}


def schedule_event(client: Client, token: str, slug: str, rng: random.Random) -> str | None:
    """An event residents register for, some weeks ahead: its id (None: refused)."""
    starts = (datetime.now(timezone.utc).replace(microsecond=0)
              + timedelta(days=rng.randint(20, 200), hours=rng.randint(0, 8)))
    kind = rng.choice(tuple(TITLES))
    answer = client.call("POST", f"{EVENTS}/communes/{{commune}}/events", token, expect=(201,), commune=slug,
                         json_body={"kind": kind, "title": TITLES[kind], "starts_at": starts.isoformat(),
                                    "ends_at": (starts + timedelta(hours=2)).isoformat(),
                                    "place_name": "Salle communale", "registration_required": True,
                                    "phase": 3 if kind == "forum_citoyen" else 2})
    return answer.json()["id"] if answer.status == 201 else None


def list_events(client: Client, token: str, slug: str) -> None:
    client.call("GET", f"{EVENTS}/communes/{{commune}}/events", token, commune=slug)


def add_partner(client: Client, token: str, slug: str, rng: random.Random) -> bool:
    """A local partner; its name made unique (a commune lists each partner once: 409 otherwise)."""
    return client.call("POST", f"{PARTNERS}/communes/{{commune}}/partners", token, expect=(201,), commune=slug,
                       json_body={"name": rng.choice(("Société de développement", "Paroisse", "Ludothèque",
                                                      "FC local", "École primaire")) + f" {rng.randrange(10**9)}",
                                  "kind": rng.choice(("association", "school", "club")),
                                  "status": rng.choice(("identified", "active"))}).status == 201


def commune_dashboard(client: Client, token: str, slug: str) -> dict | None:
    answer = client.call("GET", f"{REPORTING}/communes/{{commune}}/dashboard", token, commune=slug)
    return answer.json() if answer.status == 200 else None


FIGURES = ("answers", "registrations", "events", "partners", "objectives", "actions")


def figures(board: dict) -> dict:
    """What a commune dashboard shows of the work the benches do (registrations: people)."""
    return {"answers": (board.get("survey") or {}).get("responses", 0),
            "registrations": board["events"]["registrations"], "events": board["events"]["scheduled"],
            "partners": board["partners"]["partners"], "objectives": board["plan"]["objectives"],
            "actions": sum(board["plan"]["actions_by_status"].values())}


# -- residents (no sign-in) -----------------------------------------------------------------------
def answer_survey(client: Client, survey_token: str, rng: random.Random, read_first: bool = True) -> bool:
    """A resident opens the survey (its questions) and sends the answers: True once recorded (201)."""
    if read_first:
        client.call("GET", f"{SURVEYS}/public/{{token}}", token=survey_token)
    return client.call("POST", f"{SURVEYS}/public/{{token}}/responses", expect=(201,),
                       json_body={"answers": answers(rng)}, token=survey_token).status == 201


def register(client: Client, slug: str, event_id: str, rng: random.Random) -> int:
    """The event's public page, then its registration form with the page's CSRF token (303: done).
    Answers the number of people registered (0: refused)."""
    page = client.call("GET", "/events/c/{commune}/e/{event_id}", commune=slug, event_id=event_id)
    found = CSRF.search(page.body.decode("utf-8", "replace")) if page.status == 200 else None
    if found is None:
        return 0
    party = rng.randint(1, 3)
    answer = client.call("POST", "/events/c/{commune}/e/{event_id}", expect=(303,), commune=slug, event_id=event_id,
                         form={"csrf_token": found.group(1), "name": rng.choice(("Anne", "Luc", "Marie", "Yves")),
                               "party_size": str(party)})
    return party if answer.status == 303 else 0


def view_agenda(client: Client, slug: str) -> None:
    client.call("GET", "/events/c/{commune}", commune=slug)


def answers(rng: random.Random) -> dict:
    """A plausible set of answers to the quality-of-life template (its required questions and a few others)."""
    wish = rng.choice(("yes", "maybe", "no"))
    chosen = {
        "neighbour_network": rng.choice(("very_restricted", "restricted", "medium", "wide", "very_wide")),
        "neighbour_interaction_frequency": rng.choice(("daily", "weekly", "monthly", "few_times_a_year", "never")),
        "interaction_places": rng.sample(("street", "shops", "public_transport", "school", "cafes"), rng.randint(1, 3)),
        "interaction_duration": rng.choice(("few_minutes", "up_to_15_minutes", "up_to_1_hour")),
        "local_politics_interest": rng.randint(1, 5), "quality_of_life": rng.randint(1, 5),
        "involvement_wish": wish, "age_band": rng.choice(("age_25_44", "age_45_64", "age_65_79")),
    }
    if wish != "no":
        chosen["involvement_areas"] = [rng.choice(("neighbourhood_events", "citizen_forum", "seniors"))]
    return chosen
