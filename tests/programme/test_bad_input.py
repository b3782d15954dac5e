"""Every write route of the programme: bad input gets a 4xx naming the field, and changes nothing."""
import pytest

from tests.support.bad_input import bad_bodies
from tests.support.snapshots import database_snapshot

from programme.api import schemas


def write_routes(world):
    """(method, url, schema, a valid body, who may call it)."""
    a = f"/programme/api/v1/communes/{world.commune_a}"
    return [
        ("POST", "/programme/api/v1/auth/token", schemas.TokenRequestSchema(),
         {"email": "someone@example.ch", "password": "secret"}, None),
        ("POST", "/programme/api/v1/communes", schemas.CommuneCreateSchema(),
         {"slug": "nouvelle", "name": "Nouvelle", "canton": "JU", "population": 100}, "regional"),
        ("POST", "/programme/api/v1/accounts", schemas.AccountCreateSchema(),
         {"email": "new@example.ch", "display_name": "New", "password": "long enough",
          "role": "coordinator", "communes": [world.commune_a]}, "regional"),
        ("PUT", f"{a}/phases/1/activities/concept", schemas.ActivityUpdateSchema(), {"done": True},
         "coordinator_a"),
        ("POST", f"{a}/themes", schemas.ThemeCreateSchema(), {"title": "Voisinage"}, "coordinator_a"),
        ("POST", f"{a}/objectives", schemas.ObjectiveCreateSchema(), {"title": "Objectif"}, "coordinator_a"),
        ("PATCH", f"{a}/objectives/{{objective}}", schemas.ObjectiveUpdateSchema(), {"title": "Autre"},
         "coordinator_a"),
        ("POST", f"{a}/actions", schemas.ActionCreateSchema(), {"title": "Action"}, "coordinator_a"),
        ("PATCH", f"{a}/actions/{{action}}", schemas.ActionUpdateSchema(), {"status": "done"}, "coordinator_a"),
    ]


@pytest.fixture
def existing(world):
    client, headers = world.client(), world.headers("coordinator_a")
    base = f"/programme/api/v1/communes/{world.commune_a}"
    objective = client.post(f"{base}/objectives", json={"title": "Existant"}, headers=headers).json
    action = client.post(f"{base}/actions", json={"title": "Existante"}, headers=headers).json
    return {"objective": objective["id"], "action": action["id"]}


def test_every_bad_body_is_refused_naming_the_field_and_changes_nothing(world, existing):
    client = world.client()
    before = database_snapshot(world.runtime.engine)
    checked = 0
    for method, url, schema, valid, who in write_routes(world):
        url = url.format(**existing)
        headers = world.headers(who) if who else {}
        for case, field, body in bad_bodies(schema, valid):
            response = client.open(url, method=method, json=body, headers=headers)
            assert response.status_code == 422, (method, url, case, field, response.status_code, response.json)
            named = response.json["errors"]["json"]
            assert field in named, (method, url, case, field, named)
            assert all(isinstance(m, str) and m for m in named[field]), named
            checked += 1
    assert checked > 80
    assert database_snapshot(world.runtime.engine) == before


def test_errors_are_in_the_callers_language(world):
    client = world.client()
    url = f"/programme/api/v1/communes/{world.commune_a}/themes"
    french = client.post(url, json={}, headers=world.headers("coordinator_a")).json
    german = client.post(url, json={}, headers=world.headers("coordinator_a", "de")).json
    english = client.post(url, json={}, headers=world.headers("coordinator_a", "en")).json
    assert english["errors"]["json"]["title"] == ["This field is required."]
    assert french["errors"]["json"]["title"] != english["errors"]["json"]["title"]
    assert german["errors"]["json"]["title"] != english["errors"]["json"]["title"]
    assert french["errors"]["json"]["title"] != german["errors"]["json"]["title"]


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"x" * (1024 * 1024 + 1), "application/json"),
    (b"title=x", "application/x-www-form-urlencoded"),
    (b"[1, 2]", "application/json"),
    (b"null", "application/json"),
])
def test_malformed_bodies_get_a_4xx_never_a_500(world, body, content_type):
    client = world.client()
    before = database_snapshot(world.runtime.engine)
    response = client.post(f"/programme/api/v1/communes/{world.commune_a}/themes", data=body,
                           content_type=content_type, headers=world.headers("coordinator_a"))
    assert 400 <= response.status_code < 500, response.status_code
    assert response.json["message"]
    assert database_snapshot(world.runtime.engine) == before


def test_rules_of_the_domain_answer_with_the_field_and_change_nothing(world):
    client, headers = world.client(), world.headers("coordinator_a")
    base = f"/programme/api/v1/communes/{world.commune_a}"
    before = database_snapshot(world.runtime.engine)
    unknown_theme = client.post(f"{base}/objectives", json={"title": "x", "theme_id": 999}, headers=headers)
    assert unknown_theme.status_code == 404 and "theme_id" in unknown_theme.json["errors"]["json"]
    percent = client.post(f"{base}/objectives", headers=headers,
                          json={"title": "x", "indicator": "network_restricted_share", "baseline": 25})
    assert percent.status_code == 422 and "baseline" in percent.json["errors"]["json"]
    skip = client.post(f"{base}/phases/3/start", headers=headers)
    assert skip.status_code == 409 and skip.json["message"]
    no_phase = client.put(f"{base}/phases/9/activities/concept", json={"done": True}, headers=headers)
    assert no_phase.status_code == 404
    no_activity = client.put(f"{base}/phases/1/activities/dance", json={"done": True}, headers=headers)
    assert no_activity.status_code == 404
    assert database_snapshot(world.runtime.engine) == before


def test_duplicates_are_conflicts_naming_the_field(world):
    client = world.client()
    taken = client.post("/programme/api/v1/communes", headers=world.headers("regional"),
                        json={"slug": world.commune_a, "name": "Doublon", "canton": "JU", "population": 5})
    assert taken.status_code == 409 and "slug" in taken.json["errors"]["json"]
    headers = world.headers("coordinator_a")
    url = f"/programme/api/v1/communes/{world.commune_a}/themes"
    assert client.post(url, json={"title": "Voisinage"}, headers=headers).status_code == 201
    again = client.post(url, json={"title": "voisinage"}, headers=headers)
    assert again.status_code == 409 and "title" in again.json["errors"]["json"]


def test_unknown_urls_and_methods_answer_json(world):
    client = world.client()
    assert client.get("/programme/api/v1/nothing-here").status_code == 404
    assert client.delete(f"/programme/api/v1/communes/{world.commune_a}/themes",
                         headers=world.headers("coordinator_a")).status_code == 405
