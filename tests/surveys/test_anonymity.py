"""Anonymity, through HTTP: small groups hidden, nothing that identifies a resident kept,
one answer per browser, a per-client rate limit, and only a chosen snapshot for the public."""
import dataclasses


from shared.service import ServiceRuntime
from tests.support.snapshots import database_snapshot
from tests.surveys.conftest import VALID_ANSWERS, csrf_token

from surveys.bootstrap import definition

CLIENT_ADDRESS = "203.0.113.77"
BROWSER = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Firefox/140.0"


def answer_as(surveys, token, ages: dict[str, int]):
    for age, count in ages.items():
        for _ in range(count):
            answers = {k: v for k, v in VALID_ANSWERS.items() if k != "age_band"}
            if age:
                answers["age_band"] = age
            assert surveys.answer(token, answers).status_code == 201


def test_the_anonymity_threshold_hides_small_groups_and_says_why(surveys):
    survey = surveys.published()
    answer_as(surveys, survey["token"], {"age_25_44": 6, "age_45_64": 5, "age_65_79": 2, "age_80_plus": 1, None: 3})
    url = f"{surveys.base()}/{survey['id']}/results?by=age_band"
    found = surveys.client().get(url, headers=surveys.headers("coordinator_a")).json["breakdown"]
    sizes = {group["key"]: group["size"] for group in found["groups"]}
    assert sizes == {"age_25_44": 6, "age_45_64": 5, "_merged": 6}
    assert all(size >= 5 for size in sizes.values())
    merged = next(g for g in found["groups"] if g["key"] == "_merged")
    assert "65 à 79 ans" in merged["label"] and "Sans réponse" in merged["label"]
    assert "moins de 5 réponses" in found["reason"]
    page = surveys.client().get(f"/surveys/communes/{surveys.commune_a}/surveys/{survey['id']}/results?by=age_band",
                                headers=surveys.headers("coordinator_a"))
    assert page.status_code == 200 and "moins de 5 réponses sont regroupés" in page.text


def test_a_breakdown_is_withheld_when_it_would_single_people_out(surveys):
    survey = surveys.published()
    answer_as(surveys, survey["token"], {"age_25_44": 7, "age_80_plus": 1})
    found = surveys.client().get(f"{surveys.base()}/{survey['id']}/results?by=age_band",
                                 headers=surveys.headers("coordinator_a")).json["breakdown"]
    assert found["withheld"] and found["groups"] == [] and found["questions"] == []
    assert "Non affiché" in found["reason"]


def test_the_threshold_is_configurable(surveys):
    settings = dataclasses.replace(surveys.runtime.settings, anonymity_threshold=2)
    client = ServiceRuntime(definition, settings).create_app().test_client()
    survey = surveys.published()
    answer_as(surveys, survey["token"], {"age_25_44": 3, "age_65_79": 2, "age_80_plus": 1})
    found = client.get(f"{surveys.base()}/{survey['id']}/results?by=age_band",
                       headers=surveys.headers("coordinator_a")).json["breakdown"]
    # 80+ (1) is too small alone; merged with the next smallest group (65–79, 2) it is not.
    assert {g["key"]: g["size"] for g in found["groups"]} == {"age_25_44": 3, "_merged": 3}
    assert found["threshold"] == 2


def test_nothing_that_could_identify_a_resident_is_stored(surveys):
    survey = surveys.published()
    client = surveys.client()
    response = client.post(f"/surveys/api/v1/public/{survey['token']}/responses", json={"answers": VALID_ANSWERS},
                           headers={"User-Agent": BROWSER, "X-Forwarded-For": CLIENT_ADDRESS,
                                    "X-Correlation-ID": "resident-request-1"},
                           environ_base={"REMOTE_ADDR": CLIENT_ADDRESS})
    assert response.status_code == 201 and "id" not in response.json
    stored = repr(database_snapshot(surveys.runtime.engine))
    for trace in (CLIENT_ADDRESS, BROWSER, "Pixel", "resident-request-1", "203.0.113"):
        assert trace not in stored, trace
    with surveys.runtime.engine.connect() as connection:
        row = connection.exec_driver_sql("SELECT * FROM responses").mappings().one()
    assert set(row) == {"id", "survey_id", "commune", "channel", "submitted_on", "answers"}
    assert len(str(row["submitted_on"])) == 10  # a day, no time


def test_the_same_browser_cannot_answer_twice_but_another_one_can(surveys):
    survey = surveys.published()
    url = f"/surveys/s/{survey['token']}"
    browser = surveys.client()
    form = browser.get(url)
    assert browser.get_cookie("asp_browser") is not None
    assert surveys.answer(survey["token"], VALID_ANSWERS, client=browser).status_code == 201
    again = surveys.answer(survey["token"], VALID_ANSWERS, client=browser)
    assert again.status_code == 409 and "déjà répondu" in again.json["message"]
    page = browser.get(url)
    assert "déjà répondu" in page.text and "q_neighbour_network" not in page.text
    other = surveys.client()
    other.get(url)
    assert surveys.answer(survey["token"], VALID_ANSWERS, client=other).status_code == 201
    nonce = browser.get_cookie("asp_browser").value
    stored = repr(database_snapshot(surveys.runtime.engine))
    assert nonce not in stored  # only a keyed hash of it
    with surveys.runtime.engine.connect() as connection:
        columns = connection.exec_driver_sql("SELECT * FROM answered_browsers").keys()
    assert set(columns) == {"survey_id", "digest", "commune"}  # no time, no link to the answers
    assert form.status_code == 200


def test_the_html_form_marks_the_browser_on_the_last_page(surveys):
    survey = surveys.published()
    browser = surveys.client()
    url = f"/surveys/s/{survey['token']}"
    token = csrf_token(browser.get(url).data)
    fields = {f"q_{key}": value for key, value in VALID_ANSWERS.items() if not isinstance(value, list)}
    fields.update({"q_interaction_places": VALID_ANSWERS["interaction_places"],
                   "q_involvement_areas": VALID_ANSWERS["involvement_areas"]})
    done = browser.post(url, data={"csrf_token": token, "page": "5", "go": "submit", **fields})
    assert done.status_code == 303 and done.headers["Location"].endswith("/merci")
    assert "Merci" in browser.get(done.headers["Location"]).text
    assert "déjà répondu" in browser.get(url).text


def test_answering_too_often_from_one_address_is_slowed_down(surveys, monkeypatch):
    monkeypatch.setenv("ASP_PUBLIC_RATE_LIMIT", "3/minute")
    client = ServiceRuntime(definition, surveys.runtime.settings).create_app().test_client()
    survey = surveys.published()
    url = f"/surveys/api/v1/public/{survey['token']}/responses"
    crowd = {"REMOTE_ADDR": "198.51.100.20"}
    statuses = [client.post(url, json={"answers": VALID_ANSWERS}, environ_base=crowd).status_code
                for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = client.post(url, json={"answers": VALID_ANSWERS}, environ_base=crowd)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json["message"]
    other = client.post(url, json={"answers": VALID_ANSWERS}, environ_base={"REMOTE_ADDR": "198.51.100.21"})
    assert other.status_code == 201


def test_the_public_sees_only_the_chosen_snapshot_without_free_text(surveys):
    client, headers = surveys.client(), surveys.headers("coordinator_a")
    survey = surveys.published()
    base = f"{surveys.base()}/{survey['id']}"
    public = f"/surveys/api/v1/public/{survey['token']}/results"
    answer_as(surveys, survey["token"], {"age_25_44": 4})
    assert client.get(public).status_code == 404
    too_few = client.post(f"{base}/snapshot", json={"questions": ["neighbour_network"]}, headers=headers)
    assert too_few.status_code == 409 and "as_of" in too_few.json["errors"]["json"]
    answer_as(surveys, survey["token"], {"age_45_64": 2})
    text = client.post(f"{base}/snapshot", json={"questions": ["wishes"]}, headers=headers)
    assert text.status_code == 422 and "jamais publiées" in text.json["message"]
    published = client.post(f"{base}/snapshot", json={"questions": ["neighbour_network", "interaction_places"]},
                            headers=headers)
    assert published.status_code == 201
    seen = client.get(public)
    assert seen.status_code == 200 and seen.json["responses"] == 6
    assert [q["key"] for q in seen.json["results"]["questions"]] == ["neighbour_network", "interaction_places"]
    assert "Un café" not in seen.text and "age_band" not in seen.text
    page = client.get(f"/surveys/s/{survey['token']}/resultats")
    assert page.status_code == 200 and "Restreint" in page.text and "Un café" not in page.text
    answer_as(surveys, survey["token"], {"age_25_44": 1})  # after the snapshot: not in it
    assert client.get(public).json["responses"] == 6
    assert client.delete(f"{base}/snapshot", headers=headers).status_code == 204
    assert client.get(public).status_code == 404
