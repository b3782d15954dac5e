"""Through HTTP and the broker: a survey's life, its answers online and on paper, its
results, and exactly the events it should publish."""
from datetime import datetime, time, timezone

import segno

from shared.contracts.envelope import registered_contracts
from tests.surveys.conftest import VALID_ANSWERS, csrf_token

from surveys.service_layer.handlers import today

CLOSED_VALID = {k: v for k, v in VALID_ANSWERS.items() if k != "wishes"}


def test_a_survey_answered_online_and_on_paper_yields_the_right_results_and_events(surveys):
    client, headers = surveys.client(), surveys.headers("coordinator_a")
    survey = surveys.published()
    assert survey["status"] == "published" and survey["public_url"].endswith(f"/surveys/s/{survey['token']}")
    assert surveys.answer(survey["token"], VALID_ANSWERS).status_code == 201
    assert surveys.answer(survey["token"], {**VALID_ANSWERS, "neighbour_network": "wide",
                                            "wishes": ""}).status_code == 201
    paper = client.post(f"{surveys.base()}/{survey['id']}/responses", headers=headers,
                        json={"answers": {"neighbour_network": "very_restricted", "local_politics_interest": 1}})
    assert paper.status_code == 201 and paper.json["channel"] == "paper"

    found = client.get(f"{surveys.base()}/{survey['id']}/results", headers=headers).json
    assert found["participation"] == {"responses": 3, "online": 2, "paper": 1, "population": 1000, "rate": 0.003}
    network = next(q for q in found["questions"] if q["key"] == "neighbour_network")
    assert {o["value"]: o["count"] for o in network["options"] if o["count"]} == {
        "very_restricted": 1, "restricted": 1, "wide": 1}
    assert found["indicators"]["network_restricted_share"]["share"] == 2 / 3
    wishes = next(q for q in found["questions"] if q["key"] == "wishes")
    assert wishes["texts"] == [VALID_ANSWERS["wishes"]]  # the coordinator reads them

    assert client.post(f"{surveys.base()}/{survey['id']}/close", headers=headers).json["status"] == "closed"
    assert client.post(f"{surveys.base()}/{survey['id']}/reopen", headers=headers).json["status"] == "published"

    surveys.publish_events()
    events = surveys.events(expect=6)
    assert [e.type for e in events] == ["surveys.SurveyPublished", "surveys.ResponseSubmitted",
                                        "surveys.ResponseSubmitted", "surveys.ResponseSubmitted",
                                        "surveys.SurveyClosed", "surveys.SurveyReopened"]
    assert all((e.type, e.version) in registered_contracts() and e.commune == surveys.commune_a for e in events)
    published, first, second, on_paper, closed, _reopened = events
    assert published.payload["template"] == "qualite-de-vie" and published.payload["follow_up_of"] is None
    assert {"key": "neighbour_network", "type": "single_choice", "profile": False,
            "options": ["very_restricted", "restricted", "medium", "wide", "very_wide"]} in published.payload["questions"]
    assert first.payload == {"survey_id": survey["id"], "template": "qualite-de-vie", "follow_up_of": None,
                             "channel": "online", "submitted_on": today().isoformat(), "answers": CLOSED_VALID}
    assert second.payload["answers"]["neighbour_network"] == "wide"
    assert on_paper.payload["channel"] == "paper"
    assert on_paper.payload["answers"] == {"neighbour_network": "very_restricted", "local_politics_interest": 1}
    assert closed.payload["responses"] == 3
    for event in (first, second, on_paper):  # the day, not the moment, and no link to the request
        assert event.occurred_at == datetime.combine(today(), time(0), tzinfo=timezone.utc)
        assert "Un café" not in str(event.payload)


def test_participation_uses_the_population_the_programme_announced(surveys):
    survey = surveys.published(commune=surveys.commune_b, who="coordinator_b")
    surveys.answer(survey["token"], VALID_ANSWERS)
    found = surveys.client().get(f"{surveys.base(surveys.commune_b)}/{survey['id']}/results",
                                 headers=surveys.headers("coordinator_b")).json
    assert found["participation"]["population"] == 1000 and found["participation"]["rate"] == 0.001


def test_a_follow_up_survey_asks_the_same_keys_and_its_events_say_so(surveys):
    first = surveys.published()
    follow_up = surveys.published(template="qualite-de-vie", follow_up_of=first["id"])
    assert follow_up["follow_up_of"] == first["id"]
    surveys.answer(follow_up["token"], VALID_ANSWERS)
    surveys.publish_events()
    events = [e for e in surveys.events(expect=3) if e.payload["survey_id"] == follow_up["id"]]
    assert [(e.type, e.payload["follow_up_of"]) for e in events] == [
        ("surveys.SurveyPublished", first["id"]), ("surveys.ResponseSubmitted", first["id"])]


def test_a_draft_is_adapted_then_frozen_once_published(surveys):
    client, headers = surveys.client(), surveys.headers("coordinator_a")
    draft = surveys.create()
    questions = [q for q in draft["questions"] if q["key"] != "neighbourhood"]
    changed = client.patch(f"{surveys.base()}/{draft['id']}", headers=headers,
                           json={"title": {"fr": "Vivre à A"}, "questions": questions})
    assert changed.status_code == 200 and changed.json["title"] == {"fr": "Vivre à A"}
    assert "neighbourhood" not in [q["key"] for q in changed.json["questions"]]
    assert changed.json["public_url"] is None
    client.post(f"{surveys.base()}/{draft['id']}/publish", headers=headers)
    frozen = client.patch(f"{surveys.base()}/{draft['id']}", headers=headers, json={"questions": questions[:3]})
    assert frozen.status_code == 409 and "questions" in frozen.json["errors"]["json"]


def test_a_survey_from_scratch_with_every_question_type_and_skip_logic(surveys):
    yes_no = [{"value": "yes", "label": {"fr": "Oui"}}, {"value": "no", "label": {"fr": "Non"}}]
    questions = [
        {"key": "dog", "type": "single_choice", "required": True, "label": {"fr": "Avez-vous un chien ?"},
         "options": yes_no},
        {"key": "walks", "type": "multiple_choice", "label": {"fr": "Où le promenez-vous ?"}, "page": 2,
         "min_choices": 1, "max_choices": 2, "show_if": {"question": "dog", "values": ["yes"]}, "required": True,
         "options": [{"value": "forest", "label": {"fr": "Forêt"}}, {"value": "village", "label": {"fr": "Village"}},
                     {"value": "fields", "label": {"fr": "Champs"}}]},
        {"key": "mood", "type": "scale", "label": {"fr": "Humeur"}, "page": 2,
         "low_label": {"fr": "Mauvaise"}, "high_label": {"fr": "Bonne"}},
        {"key": "people", "type": "number", "label": {"fr": "Personnes au ménage"}, "page": 2, "min": 1, "max": 20},
        {"key": "street", "type": "short_text", "label": {"fr": "Rue préférée"}, "page": 3},
        {"key": "idea", "type": "long_text", "label": {"fr": "Une idée"}, "page": 3, "max_length": 300},
    ]
    survey = surveys.published(title={"fr": "Chiens et promenades"}, questions=questions)
    assert surveys.answer(survey["token"], {"dog": "no", "mood": 5}).status_code == 201
    missing = surveys.answer(survey["token"], {"dog": "yes"})
    assert missing.status_code == 422 and set(missing.json["errors"]["json"]["answers"]) == {"walks"}
    assert surveys.answer(survey["token"], {"dog": "yes", "walks": ["forest"], "people": 3,
                                            "street": "Rue du Stand", "idea": "Des sacs"}).status_code == 201
    found = surveys.client().get(f"{surveys.base()}/{survey['id']}/results",
                                 headers=surveys.headers("coordinator_a")).json
    walks = next(q for q in found["questions"] if q["key"] == "walks")
    assert walks["answered"] == 1 and walks["skipped"] == 1


def test_the_regional_staff_add_a_template_that_a_commune_copies(surveys):
    client = surveys.client()
    body = {"key": "vie-associative", "title": {"fr": "Vie associative", "de": "Vereinsleben"},
            "questions": [{"key": "member", "type": "single_choice", "label": {"fr": "Membre d'une société ?"},
                           "options": [{"value": "yes", "label": {"fr": "Oui"}},
                                       {"value": "no", "label": {"fr": "Non"}}]}]}
    added = client.post("/surveys/api/v1/templates", json=body, headers=surveys.headers("regional"))
    assert added.status_code == 201 and added.json["builtin"] is False
    keys = [t["key"] for t in client.get("/surveys/api/v1/templates", headers=surveys.headers("viewer_a")).json]
    assert keys == ["qualite-de-vie", "vie-associative"]
    copy = surveys.create(template="vie-associative")
    assert copy["title"]["fr"] == "Vie associative" and copy["questions"][0]["key"] == "member"
    again = client.post("/surveys/api/v1/templates", json=body, headers=surveys.headers("regional"))
    assert again.status_code == 409 and "key" in again.json["errors"]["json"]


def test_the_qr_codes_carry_the_public_address(surveys):
    client, headers = surveys.client(), surveys.headers("viewer_a")
    survey = surveys.published()
    png = client.get(f"{surveys.base()}/{survey['id']}/qr.png", headers=headers)
    svg = client.get(f"{surveys.base()}/{survey['id']}/qr.svg", headers=headers)
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    expected = segno.make(survey["public_url"], error="m", micro=False)
    assert expected.designator == segno.make(f"http://localhost/surveys/s/{survey['token']}", error="m").designator
    assert survey["public_url"].encode() in svg.data  # its title names the address it encodes
    draft = surveys.create()
    assert client.get(f"{surveys.base()}/{draft['id']}/qr.png", headers=headers).status_code == 409


def test_the_html_form_goes_page_by_page_keeping_answers_without_storing_them(surveys):
    survey = surveys.published()
    client = surveys.client()
    url = f"/surveys/s/{survey['token']}"
    first = client.get(url)
    assert first.status_code == 200 and "Page 1 sur 5" in first.text and 'name="q_neighbour_network"' in first.text
    token = csrf_token(first.data)
    page_two = client.post(url, data={"csrf_token": token, "page": "1", "go": "next", "q_neighbour_network": "medium",
                                      "q_neighbour_interaction_frequency": "weekly"})
    assert page_two.status_code == 200 and "Page 2 sur 5" in page_two.text
    assert 'type="hidden" name="q_neighbour_network" value="medium"' in page_two.text
    back = client.post(url, data={"csrf_token": token, "page": "2", "go": "previous",
                                  "q_neighbour_network": "medium", "q_neighbour_interaction_frequency": "weekly"})
    assert "Page 1 sur 5" in back.text and 'value="medium" checked' in back.text
    with surveys.runtime.unit_of_work() as uow:
        from surveys.adapters.orm import Response
        assert uow.session.query(Response).count() == 0  # nothing kept before the last page
