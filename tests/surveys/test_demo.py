"""The demo of `make run`: Courtételle's quality-of-life survey reproduces the pilot's figures,
goes through the handlers (so its events are published), and a second run adds nothing."""
import pytest

from shared.contracts import topic_of
from shared.http.auth import TokenIssuer
from tests.support.kafka import read_events
from tests.support.snapshots import database_snapshot
from tests.surveys.conftest import consume_communes, publish_all

from programme.demo import seed as seed_programme
from surveys.demo import seed as seed_surveys


@pytest.fixture
def demo(surveys):
    seed_programme(surveys.programme.runtime)
    publish_all(surveys.programme.runtime)
    consume_communes(surveys.runtime, ["courtetelle"])
    before = len(read_events(surveys.bootstrap, topic_of("surveys"), "courtetelle"))
    assert seed_surveys(surveys.runtime, wait_s=5) is True
    return before


def test_the_demo_survey_reproduces_the_pilots_figures(surveys, demo):
    token = TokenIssuer(surveys.runtime.settings).issue("9", "coordinator", ["courtetelle"], "c@courtetelle.example")
    client, headers = surveys.client(), {"Authorization": f"Bearer {token}"}
    listed = client.get("/surveys/api/v1/communes/courtetelle/surveys", headers=headers).json
    assert [(s["status"], s["responses"]) for s in listed] == [("draft", 0), ("closed", 120)]
    pilot, follow_up = listed[1], listed[0]
    assert pilot["template"] == "qualite-de-vie" and follow_up["follow_up_of"] == pilot["id"]
    found = client.get(f"/surveys/api/v1/communes/courtetelle/surveys/{pilot['id']}/results", headers=headers).json
    assert found["participation"] == {"responses": 120, "online": 96, "paper": 24, "population": 2582,
                                      "rate": 120 / 2582}
    indicators = {key: value["share"] for key, value in found["indicators"].items()}
    assert indicators["network_restricted_share"] == 0.25                 # exactly 25%
    assert indicators["neighbour_interaction_frequency"] == 82 / 120       # once a month or less
    assert indicators["interaction_duration"] == 96 / 120                  # a quarter of an hour at most
    assert indicators["places_of_passage_share"] == 117 / 120              # street, shops, bus stop, school
    assert indicators["local_politics_interest"] == 69 / 120               # 1 or 2 out of 5
    politics = next(q for q in found["questions"] if q["key"] == "local_politics_interest")
    assert politics["mean"] < 2.5
    places = next(q for q in found["questions"] if q["key"] == "interaction_places")
    top_two = sorted(places["options"], key=lambda o: -o["count"])[:2]
    assert {o["value"] for o in top_two} == {"street", "shops"}


def test_the_demo_is_published_through_the_outbox_and_seeded_once(surveys, demo):
    publish_all(surveys.runtime)
    events = read_events(surveys.bootstrap, topic_of("surveys"), "courtetelle", expect=demo + 122)[demo:]
    kinds = [e.type.split(".")[1] for e in events]
    assert kinds == ["SurveyPublished"] + ["ResponseSubmitted"] * 120 + ["SurveyClosed"]
    channels = [e.payload["channel"] for e in events[1:-1]]
    assert channels.count("online") == 96 and channels.count("paper") == 24
    assert all("wishes" not in e.payload["answers"] for e in events[1:-1])
    restricted = sum(e.payload["answers"]["neighbour_network"] in ("restricted", "very_restricted")
                     for e in events[1:-1])
    assert restricted == 30  # reporting can compute the 25% from the events alone
    before = database_snapshot(surveys.runtime.engine)
    assert seed_surveys(surveys.runtime, wait_s=1) is False
    assert database_snapshot(surveys.runtime.engine) == before


def test_a_demo_stopped_half_way_is_finished_on_the_next_start(surveys):
    seed_programme(surveys.programme.runtime)
    publish_all(surveys.programme.runtime)
    consume_communes(surveys.runtime, ["courtetelle"])
    assert seed_surveys(surveys.runtime, wait_s=1)
    with surveys.runtime.engine.begin() as connection:  # as if stopped after 50 answers
        connection.exec_driver_sql("DELETE FROM responses WHERE id IN (SELECT id FROM responses "
                                   "ORDER BY id LIMIT 70)")
        connection.exec_driver_sql("UPDATE surveys SET status = 'published', closed_at = NULL WHERE closed_at IS NOT NULL")
    assert seed_surveys(surveys.runtime, wait_s=1) is True
    with surveys.runtime.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM responses").scalar() == 120
        assert connection.exec_driver_sql("SELECT status FROM surveys ORDER BY id").scalars().all() == [
            "closed", "draft"]
