"""A token of commune A never reads or changes anything of commune B — on every staff route
of the surveys app, API and pages alike. The routes come from the app itself."""
import re

import pytest

from tests.support.snapshots import database_snapshot
from tests.surveys.conftest import VALID_ANSWERS

SECRET_WISH = "Un verger partagé derrière la salle communale"


def commune_routes(app):
    for rule in app.url_map.iter_rules():
        if "commune" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def url_for_commune(rule: str, commune: str, survey_id: int) -> str:
    values = {"commune": commune, "survey_id": str(survey_id), "kind": "png", "transition": "close"}
    rule = re.sub(r"<any\([^)]*\):(\w+)>", lambda m: values[m.group(1)], rule)
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule)


@pytest.fixture
def survey_of_b(surveys):
    survey = surveys.published(who="coordinator_b", commune=surveys.commune_b)
    assert surveys.answer(survey["token"], {**VALID_ANSWERS, "wishes": SECRET_WISH}).status_code == 201
    return survey


def test_the_app_has_commune_routes_to_check(surveys):
    routes = list(commune_routes(surveys.app()))
    assert len(routes) >= 20, routes


def test_a_coordinator_of_a_gets_nothing_of_b_on_any_route(surveys, survey_of_b):
    client = surveys.client()
    before = database_snapshot(surveys.runtime.engine)
    for method, rule in commune_routes(surveys.app()):
        url = url_for_commune(rule, surveys.commune_b, survey_of_b["id"])
        response = client.open(url, method=method, json={"answers": VALID_ANSWERS} if method != "GET" else None,
                               headers=surveys.headers("coordinator_a"))
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert SECRET_WISH.encode() not in response.data and survey_of_b["token"].encode() not in response.data
    assert database_snapshot(surveys.runtime.engine) == before


def test_b_itself_reaches_every_read_route(surveys, survey_of_b):
    """The check above is only worth something if the same URLs work for B's own staff."""
    client = surveys.client()
    for method, rule in commune_routes(surveys.app()):
        if method != "GET":
            continue
        url = url_for_commune(rule, surveys.commune_b, survey_of_b["id"])
        assert client.get(url, headers=surveys.headers("coordinator_b")).status_code == 200, url


def test_a_viewer_changes_nothing_even_in_their_own_commune(surveys):
    mine = surveys.published()
    client = surveys.client()
    before = database_snapshot(surveys.runtime.engine)
    for method, rule in commune_routes(surveys.app()):
        if method == "GET":
            continue
        url = url_for_commune(rule, surveys.commune_a, mine["id"])
        response = client.open(url, method=method, json={"answers": VALID_ANSWERS, "template": "qualite-de-vie"},
                               headers=surveys.headers("viewer_a"))
        assert response.status_code == 403, (method, url, response.status_code)
    assert database_snapshot(surveys.runtime.engine) == before


def test_without_a_token_the_api_answers_401_and_pages_send_to_the_sign_in(surveys):
    mine = surveys.published()
    client = surveys.client()
    before = database_snapshot(surveys.runtime.engine)
    for method, rule in commune_routes(surveys.app()):
        url = url_for_commune(rule, surveys.commune_a, mine["id"])
        response = client.open(url, method=method, json={} if method != "GET" else None)
        if "/api/" in rule:
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 302 and "/programme/login" in response.headers["Location"], (method, url)
    assert database_snapshot(surveys.runtime.engine) == before


@pytest.mark.parametrize("who", ["viewer_a", "regional"])
def test_free_text_is_for_the_communes_coordinators_only(surveys, who):
    survey = surveys.published()
    surveys.answer(survey["token"], {**VALID_ANSWERS, "wishes": SECRET_WISH})
    client = surveys.client()
    base = f"{surveys.base()}/{survey['id']}"
    for url in (f"{base}/results", f"{base}/responses", f"{base}/responses?format=csv",
                f"{base}/responses?format=xlsx", f"{base}/results?format=csv",
                f"/surveys/communes/{surveys.commune_a}/surveys/{survey['id']}/results"):
        assert SECRET_WISH.encode() not in client.get(url, headers=surveys.headers(who)).data, (who, url)
    coordinator = client.get(f"{base}/responses", headers=surveys.headers("coordinator_a")).json
    assert coordinator[0]["answers"]["wishes"] == SECRET_WISH


@pytest.mark.parametrize("who", ["coordinator_a", "viewer_a"])
def test_commune_staff_cannot_add_templates(surveys, who):
    response = surveys.client().post("/surveys/api/v1/templates", headers=surveys.headers(who), json={
        "key": "intrus", "title": {"fr": "Intrus"},
        "questions": [{"key": "q", "type": "short_text", "label": {"fr": "?"}}]})
    assert response.status_code == 403


def test_the_surveys_home_leads_each_person_to_their_communes(surveys):
    client = surveys.client()
    single = client.get("/surveys/", headers=surveys.headers("coordinator_a"))
    assert single.status_code == 302 and single.headers["Location"].endswith(f"/surveys/communes/{surveys.commune_a}")
    regional = client.get("/surveys/", headers=surveys.headers("regional"))
    assert regional.status_code == 200 and "Commune A" in regional.text and "Commune B" in regional.text
    anonymous = client.get("/surveys/")
    assert anonymous.status_code == 302 and "/programme/login" in anonymous.headers["Location"]
