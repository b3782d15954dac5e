"""A token of commune A never reads or changes anything of commune B — on every route.

The routes come from the app itself, so a new route is covered without editing this test.
"""
import re

import pytest

from tests.support.snapshots import database_snapshot

PLACEHOLDERS = {"number": "1", "key": "concept", "objective_id": "1", "action_id": "1",
                "transition": "start", "kind": "themes"}


def commune_routes(app):
    for rule in app.url_map.iter_rules():
        if "commune" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def url_for_commune(rule: str, commune: str) -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        return commune if name == "commune" else PLACEHOLDERS[name]
    return re.sub(r"<([^>]+)>", fill, rule)


def seed_commune_b(world):
    client, headers = world.client(), world.headers("coordinator_b")
    base = f"/programme/api/v1/communes/{world.commune_b}"
    theme = client.post(f"{base}/themes", json={"title": "Voisinage"}, headers=headers).json
    objective = client.post(f"{base}/objectives", json={"title": "Objectif B", "theme_id": theme["id"]},
                            headers=headers).json
    client.post(f"{base}/actions", json={"title": "Action B", "objective_id": objective["id"]}, headers=headers)
    client.post(f"{base}/phases/1/start", headers=headers)


def test_the_app_has_commune_routes_to_check(world):
    routes = list(commune_routes(world.app()))
    assert len(routes) >= 20, routes


def test_a_coordinator_of_a_gets_nothing_of_b_on_any_route(world):
    seed_commune_b(world)
    app, client = world.app(), world.client()
    before = database_snapshot(world.runtime.engine)
    for method, rule in commune_routes(app):
        url = url_for_commune(rule, world.commune_b)
        response = client.open(url, method=method, json={} if method != "GET" else None,
                               headers=world.headers("coordinator_a"))
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert b"Objectif B" not in response.data and b"Action B" not in response.data, (method, url)
    assert database_snapshot(world.runtime.engine) == before


def test_a_viewer_changes_nothing_even_in_their_own_commune(world):
    client = world.client()
    before = database_snapshot(world.runtime.engine)
    for method, rule in commune_routes(world.app()):
        if method == "GET":
            continue
        url = url_for_commune(rule, world.commune_a)
        response = client.open(url, method=method, json={"done": True, "title": "x"},
                               headers=world.headers("viewer_a"))
        assert response.status_code == 403, (method, url, response.status_code)
    assert database_snapshot(world.runtime.engine) == before


def test_without_a_token_the_api_answers_401_and_pages_send_to_the_sign_in(world):
    client = world.client()
    before = database_snapshot(world.runtime.engine)
    for method, rule in commune_routes(world.app()):
        url = url_for_commune(rule, world.commune_a)
        response = client.open(url, method=method, json={} if method != "GET" else None)
        if "/api/" in rule:
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 302 and "/programme/login" in response.headers["Location"]
    assert database_snapshot(world.runtime.engine) == before


@pytest.mark.parametrize("who", ["coordinator_a", "viewer_a"])
def test_commune_staff_cannot_onboard_communes_or_create_accounts(world, who):
    client = world.client()
    created = client.post("/programme/api/v1/communes", headers=world.headers(who),
                          json={"slug": "intrus", "name": "Intrus", "canton": "JU", "population": 1})
    account = client.post("/programme/api/v1/accounts", headers=world.headers(who),
                          json={"email": "x@example.ch", "display_name": "X", "password": "long enough",
                                "role": "regional_admin"})
    assert created.status_code == account.status_code == 403
    assert client.get("/programme/api/v1/accounts", headers=world.headers(who)).status_code == 403


def test_the_commune_list_shows_only_the_callers_communes(world):
    client = world.client()
    mine = client.get("/programme/api/v1/communes", headers=world.headers("coordinator_a")).json
    everything = client.get("/programme/api/v1/communes", headers=world.headers("regional")).json
    assert [c["slug"] for c in mine] == [world.commune_a]
    assert {world.commune_a, world.commune_b} <= {c["slug"] for c in everything}
