"""Commune A's staff never read or change anything of commune B — on every route of the app;
residents' names and contacts are seen by the commune's coordinators only; the public pages
of one commune never show another's events.

The routes come from the app itself, so a new route is covered without editing this test.
"""
import re

import pytest

from tests.events.town import csrf_token, register, token_of
from tests.support.snapshots import database_snapshot

PUBLIC = "/events/c/"
B_SECRETS = ("Événement secret de B", "Bérénice Beuret", "079 999 99 99", "Série de B")


def commune_routes(app):
    for rule in app.url_map.iter_rules():
        if "commune" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def fill(rule: str, commune: str, ids: dict) -> str:
    def value(match):
        name = match.group(1).split(":")[-1]
        return commune if name == "commune" else str(ids[name])
    return re.sub(r"<([^>]+)>", value, rule)


@pytest.fixture
def b_world(town):
    """Commune B's event, series and registration, with things no one of A may see."""
    client, headers = town.client(), town.headers("coordinator_b")
    series = client.post(f"{town.api(town.b)}/series", json={"title": "Série de B"}, headers=headers).json
    event = town.schedule(town.b, who="coordinator_b", title="Événement secret de B", series_id=series["id"],
                          registration_required=True, capacity=5)
    token_of(register(town.client(), town.b, event["id"], name="Bérénice Beuret", contact="079 999 99 99"))
    registration = client.get(f"{town.api(town.b)}/events/{event['id']}/registrations", headers=headers).json[0]
    return {"event_id": event["id"], "series_id": series["id"], "registration_id": registration["id"]}


def a_world(town) -> dict:
    event = town.schedule(title="Événement de A", registration_required=True, capacity=5)
    token_of(register(town.client(), town.a, event["id"], name="Aline Amstutz", contact="aline@example.ch"))
    series = town.client().post(f"{town.api(town.a)}/series", json={"title": "Série de A"},
                                headers=town.headers("coordinator_a")).json
    registration = town.client().get(f"{town.api(town.a)}/events/{event['id']}/registrations",
                                     headers=town.headers("coordinator_a")).json[0]
    return {"event_id": event["id"], "series_id": series["id"], "registration_id": registration["id"]}


def as_(town, who: str | None, rule: str):
    """A client and headers for `who`: a bearer token for the API, a signed-in session for pages."""
    client = town.client()
    if who is None:
        return client, {}
    if "/api/" in rule:
        return client, town.headers(who)
    town.sign_in(client, who)
    return client, {}


def test_the_app_has_commune_routes_to_check(town):
    routes = list(commune_routes(town.app()))
    assert len(routes) >= 25, routes
    assert any(rule.startswith(PUBLIC) for _, rule in routes)


def test_a_coordinator_of_a_gets_nothing_of_b_on_any_staff_route(town, b_world):
    before = database_snapshot(town.runtime.engine)
    checked = 0
    for method, rule in commune_routes(town.app()):
        if rule.startswith(PUBLIC):
            continue
        client, headers = as_(town, "coordinator_a", rule)
        url = fill(rule, town.b, b_world)
        response = client.open(url, method=method, headers=headers,
                               json={} if method != "GET" and "/api/" in rule else None,
                               data={"reason": "x", "title": "x"} if method == "POST" and "/api/" not in rule else None)
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert not any(secret in response.get_data(as_text=True) for secret in B_SECRETS), (method, url)
        checked += 1
    assert checked >= 20
    assert database_snapshot(town.runtime.engine) == before


def test_through_commune_a_nothing_of_b_is_reached_even_by_its_ids(town, b_world):
    """A's own URLs with B's event, series and registration ids: not found, for staff and public."""
    ids = a_world(town)
    before = database_snapshot(town.runtime.engine)
    for method, rule in commune_routes(town.app()):
        if not any(f"<{name}>" in rule or f":{name}>" in rule for name in ("event_id", "series_id", "registration_id")):
            continue
        mixed = {**ids, **{name: b_world[name] for name in ("event_id", "series_id")}}
        if "registration_id" in rule:
            mixed = {**ids, "registration_id": b_world["registration_id"]}
        client, headers = as_(town, "coordinator_a", rule)
        url = fill(rule, town.a, mixed)
        form = None
        if method == "POST" and "/api/" not in rule:  # a real form post, so the guard past CSRF is tested
            form = {"csrf_token": csrf_token(client, f"/events/c/{town.a}/e/{ids['event_id']}"),
                    "name": "Intrus", "reason": "x", "head_count": "1", "satisfaction": "3",
                    "met_someone_new": "true"}
        response = client.open(url, method=method, headers=headers, data=form,
                               json={} if method != "GET" and "/api/" in rule else None)
        # An empty JSON body may be refused before the look-up (422): valid bodies are in test_bad_input.
        assert response.status_code in ((404, 422) if "/api/" in rule else (404,)), (method, url, response.status_code)
        assert not any(secret in response.get_data(as_text=True) for secret in B_SECRETS), (method, url)
    assert database_snapshot(town.runtime.engine) == before


def test_a_viewer_changes_nothing_and_sees_no_contacts_even_in_their_own_commune(town):
    ids = a_world(town)
    before = database_snapshot(town.runtime.engine)
    for method, rule in commune_routes(town.app()):
        if rule.startswith(PUBLIC):
            continue
        client, headers = as_(town, "viewer_a", rule)
        url = fill(rule, town.a, ids)
        response = client.open(url, method=method, headers=headers,
                               json={"title": "x", "reason": "x", "head_count": 1} if "/api/" in rule and method != "GET" else None)
        if method != "GET" or "registrations" in rule:
            assert response.status_code == 403, (method, url, response.status_code)
        assert "Aline Amstutz" not in response.get_data(as_text=True), (method, url)
        assert "aline@example.ch" not in response.get_data(as_text=True), (method, url)
    assert database_snapshot(town.runtime.engine) == before


def test_regional_staff_see_every_commune_but_not_residents_contacts(town):
    ids = a_world(town)
    client, regional = town.client(), town.headers("regional")
    event = client.get(f"{town.api(town.a)}/events/{ids['event_id']}", headers=regional)
    assert event.status_code == 200 and event.json["registered_people"] == 1
    assert client.get(f"{town.api(town.a)}/events/{ids['event_id']}/registrations", headers=regional).status_code == 403
    town.sign_in(client, "regional")
    page = client.get(f"/events/communes/{town.a}/events/{ids['event_id']}")
    assert page.status_code == 200 and "Aline" not in page.get_data(as_text=True)
    town.sign_in(client, "coordinator_a")
    assert "Aline Amstutz" in client.get(f"/events/communes/{town.a}/events/{ids['event_id']}").get_data(as_text=True)


def test_without_sign_in_the_api_answers_401_pages_ask_to_sign_in_and_public_pages_open(town, b_world):
    ids = a_world(town)
    before = database_snapshot(town.runtime.engine)
    for method, rule in commune_routes(town.app()):
        client = town.client()
        url = fill(rule, town.a, ids)
        response = client.open(url, method=method, json={} if method != "GET" and "/api/" in rule else None)
        if "/api/" in rule:
            assert response.status_code == 401, (method, url)
        elif rule.startswith(PUBLIC):
            assert response.status_code in (200, 400), (method, url, response.status_code)  # 400: POST without CSRF
        else:
            assert response.status_code == 302 and "/programme/login" in response.headers["Location"], (method, url)
        text = response.get_data(as_text=True)
        assert "Aline" not in text and "aline@example.ch" not in text, (method, url)
        assert not any(secret in text for secret in B_SECRETS), (method, url)
    assert database_snapshot(town.runtime.engine) == before


def test_one_communes_agenda_and_calendar_never_show_anothers_events(town, b_world):
    a_world(town)
    client = town.client()
    for url in (f"/events/c/{town.a}", f"/events/c/{town.a}/calendar.ics"):
        text = client.get(url).get_data(as_text=True)
        assert "Événement de A" in text and "Événement secret de B" not in text, url
    assert "Événement secret de B" in client.get(f"/events/c/{town.b}").get_data(as_text=True)
