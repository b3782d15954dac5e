"""Every bad input the issue lists, and every write route's schema: a clear 4xx naming what
is wrong, in the caller's language — and nothing stored."""
import pytest

from tests.support.bad_input import bad_bodies
from tests.support.snapshots import database_snapshot
from tests.surveys.conftest import VALID_ANSWERS

from surveys.api import schemas

OPTION = [{"value": "yes", "label": {"fr": "Oui"}}, {"value": "no", "label": {"fr": "Non"}}]
QUESTION = {"key": "member", "type": "single_choice", "label": {"fr": "Membre ?"}, "options": OPTION}


@pytest.fixture
def existing(surveys):
    return {"draft": surveys.create()["id"], "open": surveys.published(), "closed": _closed(surveys)}


def _closed(surveys):
    survey = surveys.published()
    surveys.client().post(f"{surveys.base()}/{survey['id']}/close", headers=surveys.headers("coordinator_a"))
    return survey


def write_routes(surveys, existing):
    base = surveys.base()
    return [
        ("POST", "/surveys/api/v1/templates", schemas.TemplateCreateSchema(),
         {"key": "neu", "title": {"fr": "Neu"}, "questions": [QUESTION]}, "regional"),
        ("POST", base, schemas.SurveyCreateSchema(), {"title": {"fr": "Sondage"}, "questions": [QUESTION]},
         "coordinator_a"),
        ("PATCH", f"{base}/{existing['draft']}", schemas.SurveyUpdateSchema(), {"title": {"fr": "Autre"}},
         "coordinator_a"),
        ("POST", f"{base}/{existing['open']['id']}/responses", schemas.AnswersSchema(),
         {"answers": {"neighbour_network": "wide"}}, "coordinator_a"),
        ("POST", f"{base}/{existing['open']['id']}/snapshot", schemas.SnapshotCreateSchema(),
         {"questions": ["neighbour_network"]}, "coordinator_a"),
        ("POST", f"/surveys/api/v1/public/{existing['open']['token']}/responses", schemas.AnswersSchema(),
         {"answers": VALID_ANSWERS}, None),
    ]


def test_every_bad_body_is_refused_naming_the_field_and_changes_nothing(surveys, existing):
    client = surveys.client()
    before = database_snapshot(surveys.runtime.engine)
    checked = 0
    for method, url, schema, valid, who in write_routes(surveys, existing):
        headers = surveys.headers(who) if who else {}
        for case, field, body in bad_bodies(schema, valid):
            response = client.open(url, method=method, json=body, headers=headers)
            assert response.status_code == 422, (method, url, case, field, response.status_code, response.json)
            named = response.json["errors"]["json"]
            assert field in named, (method, url, case, field, named)
            checked += 1
    assert checked > 30
    assert database_snapshot(surveys.runtime.engine) == before


def bad_question(**change):
    return {"title": {"fr": "Sondage"}, "questions": [{**QUESTION, **change}]}


@pytest.mark.parametrize("body, field", [
    (bad_question(key="Pas une clé"), "questions"),
    (bad_question(type="essay"), "questions"),
    (bad_question(label={"de": "Nur Deutsch"}), "questions"),
    (bad_question(options=[{"value": "Oui !", "label": {"fr": "Oui"}}]), "questions"),
    (bad_question(required="yes"), "questions"),
    (bad_question(options=OPTION[:1]), "questions"),                  # a choice needs two options
    (bad_question(type="number"), "questions"),                       # options on a number, no bounds
    ({"template": "qualite-de-vie", "questions": [QUESTION]}, "questions"),
    ({"template": "inconnu"}, "template"),
    ({"title": {"fr": "Sans questions"}}, "template"),
    ({"template": "qualite-de-vie", "follow_up_of": 99999}, "follow_up_of"),
])
def test_a_survey_that_cannot_be_made_is_refused_naming_the_field(surveys, body, field):
    before = database_snapshot(surveys.runtime.engine)
    response = surveys.client().post(surveys.base(), json=body, headers=surveys.headers("coordinator_a"))
    assert response.status_code in (404, 422), response.json
    assert field in response.json["errors"]["json"], response.json
    assert database_snapshot(surveys.runtime.engine) == before


def answers_error(response) -> dict:
    return response.json["errors"]["json"]["answers"]


@pytest.mark.parametrize("case, answers, key", [
    ("unknown question key", {**VALID_ANSWERS, "shoe_size": 42}, "shoe_size"),
    ("wrong type", {**VALID_ANSWERS, "local_politics_interest": "deux"}, "local_politics_interest"),
    ("an option not in the list", {**VALID_ANSWERS, "neighbour_network": "huge"}, "neighbour_network"),
    ("too many choices", {**VALID_ANSWERS, "interaction_places": ["street", "shops", "school", "homes"]},
     "interaction_places"),
    ("number out of bounds", {**VALID_ANSWERS, "neighbours_known_by_name": 100000}, "neighbours_known_by_name"),
    ("a required answer missing", {k: v for k, v in VALID_ANSWERS.items() if k != "interaction_duration"},
     "interaction_duration"),
])
def test_a_wrong_answer_is_refused_naming_its_question_and_nothing_is_stored(surveys, existing, case, answers, key):
    before = database_snapshot(surveys.runtime.engine)
    response = surveys.answer(existing["open"]["token"], answers)
    assert response.status_code == 422, (case, response.json)
    assert list(answers_error(response)) == [key], case
    assert answers_error(response)[key][0]
    assert database_snapshot(surveys.runtime.engine) == before


def test_a_required_answer_is_asked_for_only_when_skip_logic_shows_the_question(surveys):
    questions = [{**QUESTION, "required": True},
                 {"key": "since", "type": "number", "required": True, "label": {"fr": "Depuis ?"}, "min": 0,
                  "max": 100, "show_if": {"question": "member", "values": ["yes"]}}]
    survey = surveys.published(title={"fr": "Sociétés"}, questions=questions)
    before = database_snapshot(surveys.runtime.engine)
    missing = surveys.answer(survey["token"], {"member": "yes"})
    assert missing.status_code == 422 and list(answers_error(missing)) == ["since"]
    assert database_snapshot(surveys.runtime.engine) == before
    assert surveys.answer(survey["token"], {"member": "no"}).status_code == 201


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_answering_a_draft_or_closed_survey_is_refused_with_a_clear_message(surveys, state):
    survey = surveys.create() if state == "draft" else _closed(surveys)
    before = database_snapshot(surveys.runtime.engine)
    response = surveys.answer(survey["token"], VALID_ANSWERS)
    assert response.status_code == 409
    assert ("pas encore ouvert" if state == "draft" else "clos") in response.json["message"]
    assert database_snapshot(surveys.runtime.engine) == before
    page = surveys.client().get(f"/surveys/s/{survey['token']}")
    if state == "closed":
        assert page.status_code == 200 and "Ce sondage est clos" in page.text and "q_neighbour_network" not in page.text
    else:
        assert page.status_code == 404  # a draft's address is not public yet


def test_an_unknown_token_is_not_found(surveys):
    response = surveys.answer("nothere234", VALID_ANSWERS)
    assert response.status_code == 404 and "code QR" in response.json["message"]
    assert surveys.client().get("/surveys/s/nothere234").status_code == 404
    assert surveys.client().get(f"/surveys/s/{'x' * 500}").status_code == 404


def test_a_body_too_large_is_refused_before_it_is_read(surveys, existing):
    before = database_snapshot(surveys.runtime.engine)
    huge = {**VALID_ANSWERS, "wishes": "é" * 40_000}
    response = surveys.answer(existing["open"]["token"], huge)
    assert response.status_code == 413 and response.json["message"]
    form = surveys.client().post(f"/surveys/s/{existing['open']['token']}", data={"q_wishes": "x" * 70_000})
    assert form.status_code == 413
    assert database_snapshot(surveys.runtime.engine) == before


def test_editing_a_published_survey_is_refused_naming_the_questions(surveys, existing):
    before = database_snapshot(surveys.runtime.engine)
    for survey in (existing["open"], existing["closed"]):
        response = surveys.client().patch(f"{surveys.base()}/{survey['id']}", headers=surveys.headers("coordinator_a"),
                                          json={"questions": [QUESTION]})
        assert response.status_code == 409 and "questions" in response.json["errors"]["json"]
        assert "figées" in response.json["message"]
    assert database_snapshot(surveys.runtime.engine) == before


def test_another_communes_survey_is_out_of_reach_even_by_its_id(surveys):
    theirs = surveys.published(who="coordinator_b", commune=surveys.commune_b)
    client, mine = surveys.client(), surveys.headers("coordinator_a")
    before = database_snapshot(surveys.runtime.engine)
    # B's survey through A's address: A has no such survey.
    assert client.get(f"{surveys.base()}/{theirs['id']}", headers=mine).status_code == 404
    assert client.post(f"{surveys.base()}/{theirs['id']}/close", headers=mine).status_code == 404
    assert client.post(f"{surveys.base()}/{theirs['id']}/responses", headers=mine,
                       json={"answers": {"neighbour_network": "wide"}}).status_code == 404
    # B's address: A's token is not allowed there.
    assert client.post(f"{surveys.base(surveys.commune_b)}/{theirs['id']}/close", headers=mine).status_code == 403
    assert client.post(surveys.base(), json={"template": "qualite-de-vie", "follow_up_of": theirs["id"]},
                       headers=mine).status_code == 404
    assert database_snapshot(surveys.runtime.engine) == before


def test_lifecycle_steps_out_of_order_are_conflicts(surveys, existing):
    client, headers = surveys.client(), surveys.headers("coordinator_a")
    base = surveys.base()
    before = database_snapshot(surveys.runtime.engine)
    assert client.post(f"{base}/{existing['open']['id']}/publish", headers=headers).status_code == 409
    assert client.post(f"{base}/{existing['open']['id']}/reopen", headers=headers).status_code == 409
    assert client.post(f"{base}/{existing['draft']}/close", headers=headers).status_code == 409
    assert client.post(f"{base}/{existing['closed']['id']}/close", headers=headers).status_code == 409
    assert client.post(f"{base}/{existing['draft']}/snapshot", headers=headers,
                       json={"questions": ["neighbour_network"]}).status_code == 409
    assert database_snapshot(surveys.runtime.engine) == before


def test_errors_are_in_the_callers_language(surveys, existing):
    token = existing["open"]["token"]
    said = {language: surveys.answer(token, {"neighbour_network": "huge"},
                                     headers={"Accept-Language": language}).json for language in ("fr", "de", "en")}
    messages = {language: answers["errors"]["json"]["answers"]["neighbour_network"][0]
                for language, answers in said.items()}
    assert messages["en"] == "Choose one of the options offered."
    assert messages["fr"] == "Choisissez l'une des réponses proposées."
    assert messages["de"] == "Wählen Sie eine der angebotenen Antworten."


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"answers=1", "application/x-www-form-urlencoded"),
    (b"[1, 2]", "application/json"),
    (b"null", "application/json"),
    (b'{"answers": []}', "application/json"),
    (b'{"answers": {"neighbour_network": {"nested": 1}}}', "application/json"),
    (b'{"answers": {"neighbours_known_by_name": 1e999}}', "application/json"),
])
def test_malformed_bodies_get_a_4xx_never_a_500(surveys, existing, body, content_type):
    before = database_snapshot(surveys.runtime.engine)
    for url, headers in ((f"/surveys/api/v1/public/{existing['open']['token']}/responses", {}),
                         (f"{surveys.base()}/{existing['open']['id']}/responses", surveys.headers("coordinator_a"))):
        response = surveys.client().post(url, data=body, content_type=content_type, headers=headers)
        assert 400 <= response.status_code < 500, (url, body, response.status_code)
        assert response.json["message"]
    assert database_snapshot(surveys.runtime.engine) == before
