"""The coordinators' pages over HTTP (no browser): in French, with forms that work without
JavaScript, errors next to their fields, and nothing to change for a viewer."""
from tests.surveys.conftest import VALID_ANSWERS, csrf_token


def page(surveys, who, path):
    return surveys.client().get(path, headers=surveys.headers(who))


def test_a_coordinator_creates_a_survey_from_the_template_and_publishes_it(surveys):
    client, headers = surveys.client(), surveys.headers("coordinator_a")
    listing = client.get(f"/surveys/communes/{surveys.commune_a}", headers=headers)
    assert listing.status_code == 200 and "Sondages de Commune A" in listing.text
    assert "Aucun sondage pour l'instant." in listing.text
    created = client.post(f"/surveys/communes/{surveys.commune_a}/surveys", headers=headers, data={
        "csrf_token": csrf_token(listing.data), "template": "qualite-de-vie", "title": "Vivre ensemble à A"})
    assert created.status_code == 302
    draft = client.get(created.headers["Location"], headers=headers)
    assert "Vivre ensemble à A" in draft.text and "brouillon" in draft.text and "Publier le sondage" in draft.text
    assert "qr.svg" not in draft.text
    published = client.post(created.headers["Location"] + "/publish", headers=headers,
                            data={"csrf_token": csrf_token(draft.data)}, follow_redirects=True)
    assert "Le sondage est publié" in published.text and "ouvert aux réponses" in published.text
    assert "/surveys/s/" in published.text and "qr.svg" in published.text and "qr.png" in published.text


def test_a_bad_form_shows_the_error_next_to_its_field(surveys):
    client, headers = surveys.client(), surveys.headers("coordinator_a")
    listing = client.get(f"/surveys/communes/{surveys.commune_a}", headers=headers)
    refused = client.post(f"/surveys/communes/{surveys.commune_a}/surveys", headers=headers, data={
        "csrf_token": csrf_token(listing.data), "template": "pas-un-modele"})
    assert refused.status_code == 422
    assert 'id="new-template-error"' in refused.text and "pas-un-modele" in refused.text
    assert 'aria-invalid="true" aria-describedby="new-template-error"' in refused.text


def test_a_paper_response_is_entered_on_its_page(surveys):
    survey = surveys.published()
    client, headers = surveys.client(), surveys.headers("coordinator_a")
    url = f"/surveys/communes/{surveys.commune_a}/surveys/{survey['id']}/paper"
    form = client.get(url, headers=headers)
    assert form.status_code == 200 and "Saisir une réponse papier" in form.text
    assert "Seulement si la réponse à « Aimeriez-vous vous engager" in form.text
    wrong = client.post(url, headers=headers, data={"csrf_token": csrf_token(form.data),
                                                    "q_neighbours_known_by_name": "mille"})
    assert wrong.status_code == 422 and 'id="q-neighbours_known_by_name-error"' in wrong.text
    assert "Indiquez un nombre." in wrong.text
    saved = client.post(url, headers=headers, data={
        "csrf_token": csrf_token(form.data), "q_neighbour_network": "restricted",
        "q_interaction_places": ["street", "school"], "q_neighbours_known_by_name": "12,0"})
    assert saved.status_code == 302
    responses = client.get(f"{surveys.base()}/{survey['id']}/responses", headers=headers).json
    assert [(r["channel"], r["answers"]) for r in responses] == [
        ("paper", {"neighbour_network": "restricted", "interaction_places": ["street", "school"],
                   "neighbours_known_by_name": 12})]


def test_the_results_page_shows_participation_indicators_and_counts(surveys):
    survey = surveys.published()
    for network in ("restricted", "very_restricted", "wide", "medium"):
        surveys.answer(survey["token"], {**VALID_ANSWERS, "neighbour_network": network})
    shown = page(surveys, "coordinator_a", f"/surveys/communes/{surveys.commune_a}/surveys/{survey['id']}/results")
    assert shown.status_code == 200
    assert 'id="response-count">4<' in shown.text and 'id="participation-rate">0.4 %<' in shown.text
    assert "50.0 %</strong> évaluent leur réseau dans la commune comme restreint ou très restreint" in shown.text
    assert "Très restreint" in shown.text and "<meter" in shown.text
    assert VALID_ANSWERS["wishes"].replace("'", "&#39;") in shown.text  # the coordinator reads free text


def test_a_viewer_reads_results_but_gets_no_form_and_no_free_text(surveys):
    survey = surveys.published()
    surveys.answer(survey["token"], VALID_ANSWERS)
    base = f"/surveys/communes/{surveys.commune_a}"
    for path in (base, f"{base}/surveys/{survey['id']}", f"{base}/surveys/{survey['id']}/results"):
        shown = page(surveys, "viewer_a", path)
        main = shown.text.split('<main id="main">')[1]  # the header holds the sign-out form
        assert shown.status_code == 200 and 'method="post"' not in main, path
    results = page(surveys, "viewer_a", f"{base}/surveys/{survey['id']}/results")
    assert "Un café" not in results.text and "coordinateurs et coordinatrices" in results.text


def test_the_public_form_is_in_german_or_english_when_asked(surveys):
    survey = surveys.published()
    client = surveys.client()
    german = client.get(f"/surveys/s/{survey['token']}?lang=de")
    assert 'lang="de"' in german.text and "Wie schätzen Sie Ihr Beziehungsnetz" in german.text
    assert "Seite 1 von 5" in german.text
    english = client.get(f"/surveys/s/{survey['token']}", headers={"Accept-Language": "en"})
    assert "How would you rate your network" not in english.text  # the choice of German is remembered
    english = surveys.client().get(f"/surveys/s/{survey['token']}", headers={"Accept-Language": "en"})
    assert "How would you rate your network" in english.text and "Page 1 of 5" in english.text
